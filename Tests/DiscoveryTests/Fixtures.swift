import Discovery
import Kubernetes

// Swift versions of the objects Prometheus's discovery/kubernetes/*_test.go build (makeMultiPortPods, makePods,
// makeInitContainerPods, makeService, makeNode, makeEndpoints, makeEndpointSliceV1, …).

typealias Labels = [String: String]

func meta(
    name: String,
    namespace: String? = nil,
    uid: String? = nil,
    labels: Labels? = nil,
    annotations: Labels? = nil,
    owners: [OwnerReference]? = nil
) -> ObjectMeta {
    var metadata = ObjectMeta(
        name: name,
        namespace: namespace,
        labels: labels,
        annotations: annotations,
        ownerReferences: owners
    )
    metadata.uid = uid
    return metadata
}

func controllerRef(kind: String, name: String) -> OwnerReference {
    OwnerReference(apiVersion: "apps/v1", kind: kind, name: name, uid: "owner-uid", controller: true)
}

func readyCondition(_ status: String) -> Kubernetes.Condition {
    Kubernetes.Condition(type: "Ready", status: status)
}

/// `makeMultiPortPods`.
func makeMultiPortPod() -> Pod {
    var status = PodStatus(
        phase: "Running",
        podIP: "1.2.3.4",
        hostIP: "2.3.4.5",
        conditions: [readyCondition("True")],
        containerStatuses: [
            ContainerStatus(name: "testcontainer0", containerID: "docker://a1b2c3d4e5f6"),
            ContainerStatus(name: "testcontainer1", containerID: "containerd://6f5e4d3c2b1a"),
        ]
    )
    status.initContainerStatuses = nil
    return Pod(
        metadata: meta(
            name: "testpod",
            namespace: "default",
            uid: "abc123",
            labels: ["test/label": "testvalue"],
            annotations: ["test/annotation": "testannotationvalue"],
            owners: [controllerRef(kind: "testcontrollerkind", name: "testcontrollername")]
        ),
        spec: PodSpec(
            nodeName: "testnode",
            containers: [
                Container(
                    name: "testcontainer0",
                    image: "testcontainer0:latest",
                    ports: [
                        ContainerPort(name: "testport0", containerPort: 9000, protocol: "TCP"),
                        ContainerPort(name: "testport1", containerPort: 9001, protocol: "UDP"),
                    ]
                ),
                Container(name: "testcontainer1", image: "testcontainer1:latest"),
            ]
        ),
        status: status
    )
}

/// `makePods(namespace)`.
func makePod(namespace: String = "default") -> Pod {
    Pod(
        metadata: meta(name: "testpod", namespace: namespace, uid: "abc123"),
        spec: PodSpec(
            nodeName: "testnode",
            containers: [
                Container(
                    name: "testcontainer",
                    image: "testcontainer:latest",
                    ports: [ContainerPort(name: "testport", containerPort: 9000, protocol: "TCP")]
                )
            ]
        ),
        status: PodStatus(
            phase: "Running",
            podIP: "1.2.3.4",
            hostIP: "2.3.4.5",
            conditions: [readyCondition("True")],
            containerStatuses: [ContainerStatus(name: "testcontainer", containerID: "docker://a1b2c3d4e5f6")]
        )
    )
}

/// `makeInitContainerPods`.
func makeInitContainerPod() -> Pod {
    var pod = makePod()
    pod.spec?.initContainers = [Container(name: "initcontainer", image: "initcontainer:latest")]
    pod.status?.phase = "Pending"
    pod.status?.conditions = [readyCondition("False")]
    pod.status?.initContainerStatuses = [
        ContainerStatus(name: "initcontainer", containerID: "containerd://6f5e4d3c2b1a")
    ]
    return pod
}

/// `expectedPodTargetGroups(ns)`.
func expectedPodTargetGroup(namespace: String = "default") -> TargetGroup {
    TargetGroup(
        source: "pod/\(namespace)/testpod",
        labels: [
            "__meta_kubernetes_pod_name": "testpod",
            "__meta_kubernetes_namespace": namespace,
            "__meta_kubernetes_pod_node_name": "testnode",
            "__meta_kubernetes_pod_ip": "1.2.3.4",
            "__meta_kubernetes_pod_host_ip": "2.3.4.5",
            "__meta_kubernetes_pod_ready": "true",
            "__meta_kubernetes_pod_phase": "Running",
            "__meta_kubernetes_pod_uid": "abc123",
        ],
        targets: [
            [
                "__address__": "1.2.3.4:9000",
                "__meta_kubernetes_pod_container_name": "testcontainer",
                "__meta_kubernetes_pod_container_image": "testcontainer:latest",
                "__meta_kubernetes_pod_container_port_name": "testport",
                "__meta_kubernetes_pod_container_port_number": "9000",
                "__meta_kubernetes_pod_container_port_protocol": "TCP",
                "__meta_kubernetes_pod_container_init": "false",
                "__meta_kubernetes_pod_container_id": "docker://a1b2c3d4e5f6",
            ]
        ]
    )
}

/// `makeNode(name, address, providerID, labels, annotations)`: one InternalIP address, kubelet on 10250.
func makeNode(
    _ name: String,
    address: String = "1.2.3.4",
    providerID: String? = nil,
    labels: Labels? = nil,
    annotations: Labels? = nil
) -> Node {
    Node(
        metadata: meta(name: name, labels: labels, annotations: annotations),
        spec: NodeSpec(providerID: providerID),
        status: NodeStatus(
            addresses: [NodeAddress(type: "InternalIP", address: address)],
            daemonEndpoints: NodeDaemonEndpoints(kubeletEndpoint: DaemonEndpoint(port: 10250))
        )
    )
}

/// `makeService(namespace)`.
func makeService(namespace: String = "default") -> Service {
    Service(
        metadata: meta(name: "testservice", namespace: namespace),
        spec: ServiceSpec(
            type: "ClusterIP",
            clusterIP: "10.0.0.1",
            ports: [ServicePort(name: "testport", protocol: "TCP", port: 30900)]
        )
    )
}

/// `makeMultiPortService`.
func makeMultiPortService() -> Service {
    Service(
        metadata: meta(
            name: "testservice",
            namespace: "default",
            labels: ["test-label": "testvalue"],
            annotations: ["test-annotation": "testannotationvalue"]
        ),
        spec: ServiceSpec(
            type: "ClusterIP",
            clusterIP: "10.0.0.1",
            ports: [
                ServicePort(name: "testport0", protocol: "TCP", port: 30900),
                ServicePort(name: "testport1", protocol: "UDP", port: 30901),
            ]
        )
    )
}

/// `makeExternalService`.
func makeExternalService() -> Service {
    Service(
        metadata: meta(name: "testservice-external", namespace: "default"),
        spec: ServiceSpec(
            type: "ExternalName",
            externalName: "FooExternalName",
            ports: [ServicePort(name: "testport", protocol: "TCP", port: 31900)]
        )
    )
}

/// `makeLoadBalancerService`.
func makeLoadBalancerService() -> Service {
    Service(
        metadata: meta(name: "testservice-loadbalancer", namespace: "default"),
        spec: ServiceSpec(
            type: "LoadBalancer",
            clusterIP: "10.0.0.1",
            loadBalancerIP: "127.0.0.1",
            ports: [ServicePort(name: "testport", protocol: "TCP", port: 31900)]
        )
    )
}

/// The Service `testendpoints` with label `app/name` used by the endpoints tests.
func makeEndpointsService(namespace: String = "default", labels: Labels = ["app/name": "test"]) -> Service {
    Service(metadata: meta(name: "testendpoints", namespace: namespace, labels: labels))
}

/// `makeEndpoints(namespace)`.
func makeEndpoints(namespace: String = "default") -> Endpoints {
    Endpoints(
        metadata: meta(name: "testendpoints", namespace: namespace, annotations: ["test.annotation": "test"]),
        subsets: [
            EndpointSubset(
                addresses: [EndpointAddress(ip: "1.2.3.4", hostname: "testendpoint1", nodeName: "foobar")],
                ports: [EndpointPort(name: "testport", port: 9000, protocol: "TCP")]
            ),
            EndpointSubset(
                addresses: [EndpointAddress(ip: "2.3.4.5")],
                notReadyAddresses: [EndpointAddress(ip: "2.3.4.5")],
                ports: [EndpointPort(name: "testport", port: 9001, protocol: "TCP")]
            ),
            EndpointSubset(
                addresses: [
                    EndpointAddress(ip: "6.7.8.9", targetRef: ObjectReference(kind: "Node", name: "barbaz"))
                ],
                ports: [EndpointPort(name: "testport", port: 9002, protocol: "TCP")]
            ),
        ]
    )
}

/// The targets `makeEndpoints` yields without pods or nodes.
func expectedEndpointsTargets() -> [Labels] {
    [
        [
            "__address__": "1.2.3.4:9000",
            "__meta_kubernetes_endpoint_hostname": "testendpoint1",
            "__meta_kubernetes_endpoint_node_name": "foobar",
            "__meta_kubernetes_endpoint_port_name": "testport",
            "__meta_kubernetes_endpoint_port_protocol": "TCP",
            "__meta_kubernetes_endpoint_ready": "true",
        ],
        [
            "__address__": "2.3.4.5:9001",
            "__meta_kubernetes_endpoint_port_name": "testport",
            "__meta_kubernetes_endpoint_port_protocol": "TCP",
            "__meta_kubernetes_endpoint_ready": "true",
        ],
        [
            "__address__": "2.3.4.5:9001",
            "__meta_kubernetes_endpoint_port_name": "testport",
            "__meta_kubernetes_endpoint_port_protocol": "TCP",
            "__meta_kubernetes_endpoint_ready": "false",
        ],
        [
            "__address__": "6.7.8.9:9002",
            "__meta_kubernetes_endpoint_address_target_kind": "Node",
            "__meta_kubernetes_endpoint_address_target_name": "barbaz",
            "__meta_kubernetes_endpoint_port_name": "testport",
            "__meta_kubernetes_endpoint_port_protocol": "TCP",
            "__meta_kubernetes_endpoint_ready": "true",
        ],
    ]
}

/// The pod `testpod` of TestEndpointsDiscoveryAdd / TestEndpointSliceDiscoveryAdd: containers c1 (9000) and
/// c2 (9001), pod IP 1.2.3.4, no phase and no conditions.
func makeTwoContainerPod(namespace: String = "default", podIP: String = "1.2.3.4") -> Pod {
    Pod(
        metadata: meta(name: "testpod", namespace: namespace, uid: "deadbeef"),
        spec: PodSpec(
            nodeName: "testnode",
            containers: [
                Container(
                    name: "c1",
                    image: "c1:latest",
                    ports: [ContainerPort(name: "mainport", containerPort: 9000, protocol: "TCP")]
                ),
                Container(
                    name: "c2",
                    image: "c2:latest",
                    ports: [ContainerPort(name: "sideport", containerPort: 9001, protocol: "TCP")]
                ),
            ]
        ),
        status: PodStatus(podIP: podIP, hostIP: "2.3.4.5")
    )
}

/// The pod labels Prometheus attaches to endpoint targets backed by `makeTwoContainerPod`.
func twoContainerPodLabels(podIP: String = "1.2.3.4") -> Labels {
    [
        "__meta_kubernetes_pod_name": "testpod",
        "__meta_kubernetes_pod_ip": podIP,
        "__meta_kubernetes_pod_ready": "unknown",
        "__meta_kubernetes_pod_phase": "",
        "__meta_kubernetes_pod_node_name": "testnode",
        "__meta_kubernetes_pod_host_ip": "2.3.4.5",
        "__meta_kubernetes_pod_uid": "deadbeef",
    ]
}

/// `makeEndpointSliceV1(namespace)`, without `deprecatedTopology` (not in the model).
func makeEndpointSlice(namespace: String = "default") -> EndpointSlice {
    EndpointSlice(
        metadata: meta(
            name: "testendpoints",
            namespace: namespace,
            labels: ["kubernetes.io/service-name": "testendpoints"],
            annotations: ["test.annotation": "test"]
        ),
        addressType: "IPv4",
        endpoints: [
            SliceEndpoint(
                addresses: ["1.2.3.4"],
                conditions: EndpointConditions(ready: true, serving: true, terminating: false),
                hostname: "testendpoint1",
                nodeName: "foobar",
                zone: "us-east-1a",
                targetRef: ObjectReference()
            ),
            SliceEndpoint(
                addresses: ["2.3.4.5"],
                conditions: EndpointConditions(ready: true, serving: true, terminating: false),
                zone: "us-east-1b"
            ),
            SliceEndpoint(
                addresses: ["3.4.5.6"],
                conditions: EndpointConditions(ready: false, serving: true, terminating: true),
                zone: "us-east-1c"
            ),
            SliceEndpoint(
                addresses: ["4.5.6.7"],
                conditions: EndpointConditions(ready: true, serving: true, terminating: false),
                zone: "us-east-1a",
                targetRef: ObjectReference(kind: "Node", name: "barbaz")
            ),
        ],
        ports: [EndpointPort(name: "testport", port: 9000, protocol: "TCP", appProtocol: "http")]
    )
}

/// The targets `makeEndpointSlice` yields without pods or nodes (Prometheus's expectations minus the
/// `_endpoint_topology_*` labels of the first endpoint).
func expectedEndpointSliceTargets() -> [Labels] {
    let port: Labels = [
        "__meta_kubernetes_endpointslice_port": "9000",
        "__meta_kubernetes_endpointslice_port_app_protocol": "http",
        "__meta_kubernetes_endpointslice_port_name": "testport",
        "__meta_kubernetes_endpointslice_port_protocol": "TCP",
    ]
    func conditions(ready: String, terminating: String) -> Labels {
        [
            "__meta_kubernetes_endpointslice_endpoint_conditions_ready": ready,
            "__meta_kubernetes_endpointslice_endpoint_conditions_serving": "true",
            "__meta_kubernetes_endpointslice_endpoint_conditions_terminating": terminating,
        ]
    }
    return [
        port.merging(conditions(ready: "true", terminating: "false")) { $1 }.merging([
            "__address__": "1.2.3.4:9000",
            "__meta_kubernetes_endpointslice_address_target_kind": "",
            "__meta_kubernetes_endpointslice_address_target_name": "",
            "__meta_kubernetes_endpointslice_endpoint_hostname": "testendpoint1",
            "__meta_kubernetes_endpointslice_endpoint_node_name": "foobar",
            "__meta_kubernetes_endpointslice_endpoint_zone": "us-east-1a",
        ]) { $1 },
        port.merging(conditions(ready: "true", terminating: "false")) { $1 }.merging([
            "__address__": "2.3.4.5:9000",
            "__meta_kubernetes_endpointslice_endpoint_zone": "us-east-1b",
        ]) { $1 },
        port.merging(conditions(ready: "false", terminating: "true")) { $1 }.merging([
            "__address__": "3.4.5.6:9000",
            "__meta_kubernetes_endpointslice_endpoint_zone": "us-east-1c",
        ]) { $1 },
        port.merging(conditions(ready: "true", terminating: "false")) { $1 }.merging([
            "__address__": "4.5.6.7:9000",
            "__meta_kubernetes_endpointslice_address_target_kind": "Node",
            "__meta_kubernetes_endpointslice_address_target_name": "barbaz",
            "__meta_kubernetes_endpointslice_endpoint_zone": "us-east-1a",
        ]) { $1 },
    ]
}

/// The group labels of `makeEndpointSlice`.
func expectedEndpointSliceLabels(namespace: String = "default") -> Labels {
    [
        "__meta_kubernetes_endpointslice_address_type": "IPv4",
        "__meta_kubernetes_namespace": namespace,
        "__meta_kubernetes_endpointslice_name": "testendpoints",
        "__meta_kubernetes_endpointslice_label_kubernetes_io_service_name": "testendpoints",
        "__meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name": "true",
        "__meta_kubernetes_endpointslice_annotation_test_annotation": "test",
        "__meta_kubernetes_endpointslice_annotationpresent_test_annotation": "true",
    ]
}

/// A lookup over a fixed set of objects, standing in for an informer cache.
struct Cache: Sendable {
    var pods: [Pod] = []
    var services: [Service] = []
    var nodes: [Node] = []

    func pod(_ namespace: String, _ name: String) -> Pod? {
        pods.first { $0.metadata.namespace == namespace && $0.metadata.name == name }
    }

    func service(_ namespace: String, _ name: String) -> Service? {
        services.first { $0.metadata.namespace == namespace && $0.metadata.name == name }
    }

    func node(_ name: String) -> Node? { nodes.first { $0.metadata.name == name } }
}
