import JSON
import KubernetesTesting
import Testing

/// CustomResourceDefinitions registering and unregistering resources at runtime.
struct CRDTests {
    static let crd: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "k8smetricalarms.promwatch.io"],
        "spec": [
            "group": "promwatch.io", "scope": "Namespaced",
            "names": ["plural": "k8smetricalarms", "singular": "k8smetricalarm", "kind": "K8sMetricAlarm", "shortNames": ["kma"]],
            "versions": [
                [
                    "name": "v1alpha1", "served": true, "storage": true,
                    "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                    "subresources": [
                        "status": [:],
                        "scale": [
                            "specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size",
                            "labelSelectorPath": ".status.selector",
                        ],
                    ],
                ]
            ],
        ],
    ]

    static let path = "/apis/promwatch.io/v1alpha1/namespaces/default/k8smetricalarms"

    @Test func creatingACRDServesItsResourceAndDeletingItRemovesIt() async throws {
        try await withEmulator { emulator, client in
            #expect(try await client.get(Self.path).status == 404)
            let created = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Self.crd)
            #expect(created.status == 201)
            let conditions = created.body[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })

            let discovery = try await client.get("/apis/promwatch.io/v1alpha1")
            let names = discovery.body["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["k8smetricalarms", "k8smetricalarms/status", "k8smetricalarms/scale"])
            let groups = try await client.get("/apis")
            #expect(groups.body["groups"]?.arrayValue?.contains { $0["name"] == "promwatch.io" } == true)

            let alarm: JSONValue = [
                "apiVersion": "promwatch.io/v1alpha1", "kind": "K8sMetricAlarm", "metadata": ["name": "cpu"],
                "spec": ["size": 1, "threshold": 80], "status": ["size": 5],
            ]
            let made = try await client.post(Self.path, alarm)
            #expect(made.status == 201)
            #expect(made.body["status"] == nil)
            #expect(made.body[path: ["metadata", "generation"]] == 1)
            let list = try await client.get(Self.path)
            #expect(list.body["kind"] == "K8sMetricAlarmList")
            // Unstructured lists keep kind/apiVersion on items.
            #expect(list.body["items"]?[0]?["kind"] == "K8sMetricAlarm")

            _ = try await client.patch(Self.path + "/cpu/status", ["status": ["size": 1, "selector": "app=cpu"]])
            let scale = try await client.get(Self.path + "/cpu/scale")
            #expect(scale.body[path: ["spec", "replicas"]] == 1)
            #expect(scale.body[path: ["status", "replicas"]] == 1)
            #expect(scale.body[path: ["status", "selector"]] == "app=cpu")
            let scaled = try await client.patch(Self.path + "/cpu/scale", ["spec": ["replicas": 3]])
            #expect(scaled.status == 200)
            #expect(emulator.get(GroupResource(group: "promwatch.io", resource: "k8smetricalarms"), namespace: "default", name: "cpu")?[path: ["spec", "size"]] == 3)

            // Deleting the CRD deletes its objects and unregisters the endpoints.
            let from = emulator.resourceVersion
            let deleted = try await client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/k8smetricalarms.promwatch.io")
            #expect(deleted.status == 200)
            #expect(try await client.get(Self.path).status == 404)
            #expect(try await client.get("/apis/promwatch.io/v1alpha1").status == 404)
            #expect(emulator.resourceVersion == from + 2)
        }
    }

    @Test func invalidCRDIs422() async throws {
        try await withEmulator { _, client in
            var bad = Self.crd
            bad[path: ["metadata", "name"]] = "wrong.name"
            let response = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad)
            #expect(response.status == 422)
            #expect(response.error?.reason == .invalid)
        }
    }

    @Test func clusterScopedCustomResource() async throws {
        try await withEmulator { emulator, client in
            var crd = Self.crd
            crd[path: ["metadata", "name"]] = "iamusergroups.promwatch.io"
            crd[path: ["spec", "scope"]] = "Cluster"
            crd[path: ["spec", "names"]] = ["plural": "iamusergroups", "kind": "IamUserGroup"]
            _ = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
            let created = try await client.post(
                "/apis/promwatch.io/v1alpha1/iamusergroups",
                ["apiVersion": "promwatch.io/v1alpha1", "kind": "IamUserGroup", "metadata": ["name": "admins"]])
            #expect(created.status == 201)
            #expect(created.body[path: ["metadata", "namespace"]] == nil)
            #expect(try await client.get("/apis/promwatch.io/v1alpha1/iamusergroups/admins").status == 200)
            #expect(try await client.get("/apis/promwatch.io/v1alpha1/namespaces/default/iamusergroups").status == 404)
            _ = emulator
        }
    }
}
