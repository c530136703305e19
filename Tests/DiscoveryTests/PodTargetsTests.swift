import Discovery
import Kubernetes
import Testing

/// One table row: an object, how to build its group, and the exact group Prometheus builds.
struct TargetGroupCase: Sendable, CustomTestStringConvertible {
    var name: String
    var build: @Sendable () -> TargetGroup?
    var expected: TargetGroup?

    var testDescription: String { name }
}

/// Compares a group field by field, so a failure names the differing label set.
func expectEqualGroups(
    _ actual: TargetGroup?,
    _ expected: TargetGroup?,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual, let expected else {
        #expect(actual == expected, sourceLocation: sourceLocation)
        return
    }
    #expect(actual.source == expected.source, sourceLocation: sourceLocation)
    #expect(actual.labels == expected.labels, sourceLocation: sourceLocation)
    #expect(actual.targets.count == expected.targets.count, sourceLocation: sourceLocation)
    for (index, (got, want)) in zip(actual.targets, expected.targets).enumerated() {
        #expect(got == want, "target \(index)", sourceLocation: sourceLocation)
    }
}

struct PodTargetsTests {
    static let cases: [TargetGroupCase] = [
        // TestPodDiscoveryBeforeRun.
        TargetGroupCase(
            name: "multi-port pod with a controller, labels and annotations",
            build: { KubernetesTargets.pod(makeMultiPortPod()) },
            expected: TargetGroup(
                source: "pod/default/testpod",
                labels: [
                    "__meta_kubernetes_pod_name": "testpod",
                    "__meta_kubernetes_namespace": "default",
                    "__meta_kubernetes_pod_label_test_label": "testvalue",
                    "__meta_kubernetes_pod_labelpresent_test_label": "true",
                    "__meta_kubernetes_pod_annotation_test_annotation": "testannotationvalue",
                    "__meta_kubernetes_pod_annotationpresent_test_annotation": "true",
                    "__meta_kubernetes_pod_node_name": "testnode",
                    "__meta_kubernetes_pod_ip": "1.2.3.4",
                    "__meta_kubernetes_pod_host_ip": "2.3.4.5",
                    "__meta_kubernetes_pod_ready": "true",
                    "__meta_kubernetes_pod_phase": "Running",
                    "__meta_kubernetes_pod_uid": "abc123",
                    "__meta_kubernetes_pod_controller_kind": "testcontrollerkind",
                    "__meta_kubernetes_pod_controller_name": "testcontrollername",
                ],
                targets: [
                    [
                        "__address__": "1.2.3.4:9000",
                        "__meta_kubernetes_pod_container_name": "testcontainer0",
                        "__meta_kubernetes_pod_container_image": "testcontainer0:latest",
                        "__meta_kubernetes_pod_container_port_name": "testport0",
                        "__meta_kubernetes_pod_container_port_number": "9000",
                        "__meta_kubernetes_pod_container_port_protocol": "TCP",
                        "__meta_kubernetes_pod_container_init": "false",
                        "__meta_kubernetes_pod_container_id": "docker://a1b2c3d4e5f6",
                    ],
                    [
                        "__address__": "1.2.3.4:9001",
                        "__meta_kubernetes_pod_container_name": "testcontainer0",
                        "__meta_kubernetes_pod_container_image": "testcontainer0:latest",
                        "__meta_kubernetes_pod_container_port_name": "testport1",
                        "__meta_kubernetes_pod_container_port_number": "9001",
                        "__meta_kubernetes_pod_container_port_protocol": "UDP",
                        "__meta_kubernetes_pod_container_init": "false",
                        "__meta_kubernetes_pod_container_id": "docker://a1b2c3d4e5f6",
                    ],
                    [
                        "__address__": "1.2.3.4",
                        "__meta_kubernetes_pod_container_name": "testcontainer1",
                        "__meta_kubernetes_pod_container_image": "testcontainer1:latest",
                        "__meta_kubernetes_pod_container_init": "false",
                        "__meta_kubernetes_pod_container_id": "containerd://6f5e4d3c2b1a",
                    ],
                ]
            )
        ),
        // TestPodDiscoveryAdd / expectedPodTargetGroups("default").
        TargetGroupCase(
            name: "single-port pod",
            build: { KubernetesTargets.pod(makePod()) },
            expected: expectedPodTargetGroup()
        ),
        // TestPodDiscoveryNamespaces.
        TargetGroupCase(
            name: "pod in another namespace",
            build: { KubernetesTargets.pod(makePod(namespace: "ns2")) },
            expected: expectedPodTargetGroup(namespace: "ns2")
        ),
        // TestPodDiscoveryInitContainer.
        TargetGroupCase(
            name: "init container gets a port-less target with _container_init=true",
            build: { KubernetesTargets.pod(makeInitContainerPod()) },
            expected: {
                var group = expectedPodTargetGroup()
                group.targets.append([
                    "__address__": "1.2.3.4",
                    "__meta_kubernetes_pod_container_name": "initcontainer",
                    "__meta_kubernetes_pod_container_image": "initcontainer:latest",
                    "__meta_kubernetes_pod_container_init": "true",
                    "__meta_kubernetes_pod_container_id": "containerd://6f5e4d3c2b1a",
                ])
                group.labels["__meta_kubernetes_pod_phase"] = "Pending"
                group.labels["__meta_kubernetes_pod_ready"] = "false"
                return group
            }()
        ),
        // TestPodDiscoveryUpdateEmptyPodIP.
        TargetGroupCase(
            name: "pod without an IP has an empty group",
            build: {
                var pod = makePod()
                pod.status?.podIP = ""
                return KubernetesTargets.pod(pod)
            },
            expected: TargetGroup(source: "pod/default/testpod")
        ),
        TargetGroupCase(
            name: "pod without status has an empty group",
            build: {
                var pod = makePod()
                pod.status = nil
                return KubernetesTargets.pod(pod)
            },
            expected: TargetGroup(source: "pod/default/testpod")
        ),
        // The initial object of TestPodDiscoveryUpdate: no conditions, no phase, no container statuses.
        TargetGroupCase(
            name: "pod without Ready condition, phase or container statuses",
            build: {
                var pod = makePod()
                pod.metadata.uid = "xyz321"
                pod.status = PodStatus(podIP: "1.2.3.4", hostIP: "2.3.4.5")
                return KubernetesTargets.pod(pod)
            },
            expected: {
                var group = expectedPodTargetGroup()
                group.labels["__meta_kubernetes_pod_uid"] = "xyz321"
                group.labels["__meta_kubernetes_pod_ready"] = "unknown"
                group.labels["__meta_kubernetes_pod_phase"] = ""
                group.targets[0]["__meta_kubernetes_pod_container_id"] = ""
                return group
            }()
        ),
        // TestPodDiscoveryWithNodeMetadata / expectedPodTargetGroupsWithNodeMeta.
        TargetGroupCase(
            name: "attach_metadata.node adds the node's labels",
            build: {
                let cache = Cache(nodes: [makeNode("testnode", labels: ["l1": "v1"])])
                return KubernetesTargets.pod(makePod(), node: cache.node)
            },
            expected: {
                var group = expectedPodTargetGroup()
                group.labels["__meta_kubernetes_node_name"] = "testnode"
                group.labels["__meta_kubernetes_node_label_l1"] = "v1"
                group.labels["__meta_kubernetes_node_labelpresent_l1"] = "true"
                return group
            }()
        ),
        TargetGroupCase(
            name: "attach_metadata.node with the node missing from the cache adds nothing",
            build: { KubernetesTargets.pod(makePod(), node: Cache(nodes: [makeNode("other")]).node) },
            expected: expectedPodTargetGroup()
        ),
        TargetGroupCase(
            name: "IPv6 pod IP is bracketed with a port, bare without",
            build: {
                var pod = makeMultiPortPod()
                pod.metadata.ownerReferences = nil
                pod.metadata.labels = nil
                pod.metadata.annotations = nil
                pod.status?.podIP = "2001:db8::1"
                return KubernetesTargets.pod(pod)
            },
            expected: {
                var labels = expectedPodTargetGroup().labels
                labels["__meta_kubernetes_pod_ip"] = "2001:db8::1"
                return TargetGroup(
                    source: "pod/default/testpod",
                    labels: labels,
                    targets: [
                        [
                            "__address__": "[2001:db8::1]:9000",
                            "__meta_kubernetes_pod_container_name": "testcontainer0",
                            "__meta_kubernetes_pod_container_image": "testcontainer0:latest",
                            "__meta_kubernetes_pod_container_port_name": "testport0",
                            "__meta_kubernetes_pod_container_port_number": "9000",
                            "__meta_kubernetes_pod_container_port_protocol": "TCP",
                            "__meta_kubernetes_pod_container_init": "false",
                            "__meta_kubernetes_pod_container_id": "docker://a1b2c3d4e5f6",
                        ],
                        [
                            "__address__": "[2001:db8::1]:9001",
                            "__meta_kubernetes_pod_container_name": "testcontainer0",
                            "__meta_kubernetes_pod_container_image": "testcontainer0:latest",
                            "__meta_kubernetes_pod_container_port_name": "testport1",
                            "__meta_kubernetes_pod_container_port_number": "9001",
                            "__meta_kubernetes_pod_container_port_protocol": "UDP",
                            "__meta_kubernetes_pod_container_init": "false",
                            "__meta_kubernetes_pod_container_id": "docker://a1b2c3d4e5f6",
                        ],
                        [
                            "__address__": "2001:db8::1",
                            "__meta_kubernetes_pod_container_name": "testcontainer1",
                            "__meta_kubernetes_pod_container_image": "testcontainer1:latest",
                            "__meta_kubernetes_pod_container_init": "false",
                            "__meta_kubernetes_pod_container_id": "containerd://6f5e4d3c2b1a",
                        ],
                    ]
                )
            }()
        ),
        TargetGroupCase(
            name: "label and annotation keys are sanitized; a non-controller owner is ignored",
            build: {
                var pod = makePod()
                pod.metadata.labels = ["app.kubernetes.io/name": "web", "tier": "front"]
                pod.metadata.annotations = ["prometheus.io/scrape": "true", "é-x": "y"]
                pod.metadata.ownerReferences = [
                    OwnerReference(apiVersion: "v1", kind: "Node", name: "n", uid: "u", controller: false)
                ]
                return KubernetesTargets.pod(pod)
            },
            expected: {
                var group = expectedPodTargetGroup()
                group.labels.merge([
                    "__meta_kubernetes_pod_label_app_kubernetes_io_name": "web",
                    "__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name": "true",
                    "__meta_kubernetes_pod_label_tier": "front",
                    "__meta_kubernetes_pod_labelpresent_tier": "true",
                    "__meta_kubernetes_pod_annotation_prometheus_io_scrape": "true",
                    "__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape": "true",
                    "__meta_kubernetes_pod_annotation___x": "y",
                    "__meta_kubernetes_pod_annotationpresent___x": "true",
                ]) { $1 }
                return group
            }()
        ),
    ]

    @Test(arguments: cases)
    func podTargetGroup(_ testCase: TargetGroupCase) {
        expectEqualGroups(testCase.build(), testCase.expected)
    }

    @Test func deletionSourcesMatchPrometheus() {
        #expect(KubernetesRole.pod.source(namespace: "default", name: "testpod") == "pod/default/testpod")
        #expect(KubernetesRole.service.source(namespace: "default", name: "testservice") == "svc/default/testservice")
        #expect(KubernetesRole.node.source(namespace: "", name: "test0") == "node/test0")
        #expect(
            KubernetesRole.endpoints.source(namespace: "default", name: "testendpoints")
                == "endpoints/default/testendpoints"
        )
        #expect(
            KubernetesRole.endpointSlice.source(namespace: "default", name: "testendpoints")
                == "endpointslice/default/testendpoints"
        )
        #expect(TargetGroup.deleted(source: "pod/default/testpod") == TargetGroup(source: "pod/default/testpod"))
    }

    @Test func mergedTargetsOverlayTargetLabelsOnGroupLabels() {
        let group = KubernetesTargets.pod(makePod())
        let merged = group.mergedTargets
        #expect(merged.count == 1)
        #expect(merged[0]["__address__"] == "1.2.3.4:9000")
        #expect(merged[0]["__meta_kubernetes_namespace"] == "default")
        #expect(merged[0].count == group.labels.count + group.targets[0].count)
    }
}
