import Discovery
import Kubernetes
import Testing

/// A slice with one pod-backed endpoint 4.3.2.1 (`ready: false`) on port 9000 (TestEndpointSliceDiscoveryAdd).
func makePodEndpointSlice(addressType: String = "IPv4", address: String = "4.3.2.1", port: Int? = 9000) -> EndpointSlice
{
    EndpointSlice(
        metadata: meta(name: "testendpoints", namespace: "default"),
        addressType: addressType,
        endpoints: [
            SliceEndpoint(
                addresses: [address],
                conditions: EndpointConditions(ready: false),
                targetRef: ObjectReference(kind: "Pod", namespace: "default", name: "testpod")
            )
        ],
        ports: [EndpointPort(name: "testport", port: port, protocol: "TCP")]
    )
}

/// The slice target of `makePodEndpointSlice` backed by `makeTwoContainerPod`, matching container c1.
func podBackedSliceTarget(address: String = "4.3.2.1:9000", podIP: String = "1.2.3.4") -> Labels {
    twoContainerPodLabels(podIP: podIP).merging([
        "__address__": address,
        "__meta_kubernetes_endpointslice_address_target_kind": "Pod",
        "__meta_kubernetes_endpointslice_address_target_name": "testpod",
        "__meta_kubernetes_endpointslice_endpoint_conditions_ready": "false",
        "__meta_kubernetes_endpointslice_port": "9000",
        "__meta_kubernetes_endpointslice_port_name": "testport",
        "__meta_kubernetes_endpointslice_port_protocol": "TCP",
        "__meta_kubernetes_pod_container_name": "c1",
        "__meta_kubernetes_pod_container_image": "c1:latest",
        "__meta_kubernetes_pod_container_port_name": "mainport",
        "__meta_kubernetes_pod_container_port_number": "9000",
        "__meta_kubernetes_pod_container_port_protocol": "TCP",
        "__meta_kubernetes_pod_container_init": "false",
    ]) { $1 }
}

struct EndpointSliceTargetsTests {
    static let podSliceLabels: Labels = [
        "__meta_kubernetes_endpointslice_address_type": "IPv4",
        "__meta_kubernetes_endpointslice_name": "testendpoints",
        "__meta_kubernetes_namespace": "default",
    ]

    static let serviceLabels: Labels = [
        "__meta_kubernetes_service_label_app_name": "test",
        "__meta_kubernetes_service_labelpresent_app_name": "true",
        "__meta_kubernetes_service_name": "testendpoints",
    ]

    static let cases: [TargetGroupCase] = [
        // TestEndpointSliceDiscoveryBeforeRun (without the deprecated topology labels).
        TargetGroupCase(
            name: "conditions, hostname, node name, zone, app protocol, empty and Node target references",
            build: { KubernetesTargets.endpointSlice(makeEndpointSlice(), service: Cache().service, pod: Cache().pod) },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: expectedEndpointSliceLabels(),
                targets: expectedEndpointSliceTargets()
            )
        ),
        // TestEndpointSliceDiscoveryAdd.
        TargetGroupCase(
            name: "pod-backed endpoint gets pod labels, container labels and extra targets for other ports",
            build: {
                let cache = Cache(pods: [makeTwoContainerPod()])
                return KubernetesTargets.endpointSlice(makePodEndpointSlice(), service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: podSliceLabels,
                targets: [podBackedSliceTarget(), sidePortTarget()]
            )
        ),
        // TestEndpointSliceDiscoveryUpdate: labels and annotations removed, two endpoints left.
        TargetGroupCase(
            name: "updated slice",
            build: {
                var slice = makeEndpointSlice()
                slice.metadata.labels = nil
                slice.metadata.annotations = nil
                slice.endpoints = Array(slice.endpoints?.prefix(2) ?? [])
                return KubernetesTargets.endpointSlice(slice, service: Cache().service, pod: Cache().pod)
            },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: podSliceLabels,
                targets: Array(expectedEndpointSliceTargets().prefix(2))
            )
        ),
        // TestEndpointSliceDiscoveryWithService.
        TargetGroupCase(
            name: "the service named by kubernetes.io/service-name adds its labels",
            build: {
                let cache = Cache(services: [makeEndpointsService()])
                return KubernetesTargets.endpointSlice(makeEndpointSlice(), service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: expectedEndpointSliceLabels().merging(serviceLabels) { $1 },
                targets: expectedEndpointSliceTargets()
            )
        ),
        TargetGroupCase(
            name: "no kubernetes.io/service-name label: no service lookup",
            build: {
                var slice = makeEndpointSlice()
                slice.metadata.labels = nil
                slice.endpoints = []
                let cache = Cache(services: [makeEndpointsService()])
                return KubernetesTargets.endpointSlice(slice, service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: podSliceLabels.merging([
                    "__meta_kubernetes_endpointslice_annotation_test_annotation": "test",
                    "__meta_kubernetes_endpointslice_annotationpresent_test_annotation": "true",
                ]) { $1 }
            )
        ),
        // TestEndpointSliceDiscoveryWithNodeMetadata.
        TargetGroupCase(
            name: "attach_metadata.node: node labels from a Node target reference or nodeName",
            build: {
                let cache = Cache(
                    services: [makeEndpointsService()],
                    nodes: [
                        makeNode("foobar", address: "", labels: ["az": "us-east1"]),
                        makeNode("barbaz", address: "", labels: ["az": "us-west2"]),
                    ]
                )
                return KubernetesTargets.endpointSlice(
                    makeEndpointSlice(),
                    service: cache.service,
                    pod: cache.pod,
                    node: cache.node
                )
            },
            expected: {
                var targets = expectedEndpointSliceTargets()
                targets[0].merge([
                    "__meta_kubernetes_node_label_az": "us-east1",
                    "__meta_kubernetes_node_labelpresent_az": "true",
                    "__meta_kubernetes_node_name": "foobar",
                ]) { $1 }
                targets[3].merge([
                    "__meta_kubernetes_node_label_az": "us-west2",
                    "__meta_kubernetes_node_labelpresent_az": "true",
                    "__meta_kubernetes_node_name": "barbaz",
                ]) { $1 }
                return TargetGroup(
                    source: "endpointslice/default/testendpoints",
                    labels: expectedEndpointSliceLabels().merging(serviceLabels) { $1 },
                    targets: targets
                )
            }()
        ),
        // TestEndpointSliceDiscoverySidecarContainer: the container port's protocol is used.
        TargetGroupCase(
            name: "init (sidecar) container port matched with its own protocol",
            build: {
                var pod = makeTwoContainerPod(podIP: "4.3.2.1")
                pod.spec?.containers.removeLast()
                pod.spec?.initContainers = [
                    Container(
                        name: "ic1",
                        image: "ic1:latest",
                        ports: [ContainerPort(name: "initport", containerPort: 9111, protocol: "UDP")]
                    )
                ]
                var slice = makePodEndpointSlice()
                slice.ports?.append(EndpointPort(name: "initport", port: 9111, protocol: "TCP"))
                let cache = Cache(pods: [pod])
                return KubernetesTargets.endpointSlice(slice, service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: podSliceLabels,
                targets: [
                    podBackedSliceTarget(podIP: "4.3.2.1"),
                    twoContainerPodLabels(podIP: "4.3.2.1").merging([
                        "__address__": "4.3.2.1:9111",
                        "__meta_kubernetes_endpointslice_address_target_kind": "Pod",
                        "__meta_kubernetes_endpointslice_address_target_name": "testpod",
                        "__meta_kubernetes_endpointslice_endpoint_conditions_ready": "false",
                        "__meta_kubernetes_endpointslice_port": "9111",
                        "__meta_kubernetes_endpointslice_port_name": "initport",
                        "__meta_kubernetes_endpointslice_port_protocol": "TCP",
                        "__meta_kubernetes_pod_container_name": "ic1",
                        "__meta_kubernetes_pod_container_image": "ic1:latest",
                        "__meta_kubernetes_pod_container_port_name": "initport",
                        "__meta_kubernetes_pod_container_port_number": "9111",
                        "__meta_kubernetes_pod_container_port_protocol": "UDP",
                        "__meta_kubernetes_pod_container_init": "true",
                    ]) { $1 },
                ]
            )
        ),
        TargetGroupCase(
            name: "port without a number: bare address, no container match, every container port becomes extra",
            build: {
                let cache = Cache(pods: [makeTwoContainerPod()])
                return KubernetesTargets.endpointSlice(
                    makePodEndpointSlice(port: nil),
                    service: cache.service,
                    pod: cache.pod
                )
            },
            expected: {
                var mainPort = sidePortTarget()
                mainPort.merge([
                    "__address__": "1.2.3.4:9000",
                    "__meta_kubernetes_pod_container_name": "c1",
                    "__meta_kubernetes_pod_container_image": "c1:latest",
                    "__meta_kubernetes_pod_container_port_name": "mainport",
                    "__meta_kubernetes_pod_container_port_number": "9000",
                ]) { $1 }
                return TargetGroup(
                    source: "endpointslice/default/testendpoints",
                    labels: podSliceLabels,
                    targets: [
                        twoContainerPodLabels().merging([
                            "__address__": "4.3.2.1",
                            "__meta_kubernetes_endpointslice_address_target_kind": "Pod",
                            "__meta_kubernetes_endpointslice_address_target_name": "testpod",
                            "__meta_kubernetes_endpointslice_endpoint_conditions_ready": "false",
                            "__meta_kubernetes_endpointslice_port_name": "testport",
                            "__meta_kubernetes_endpointslice_port_protocol": "TCP",
                        ]) { $1 },
                        mainPort,
                        sidePortTarget(),
                    ]
                )
            }()
        ),
        TargetGroupCase(
            name: "IPv6 slice: bracketed addresses",
            build: {
                let cache = Cache(pods: [makeTwoContainerPod(podIP: "fd00::2")])
                return KubernetesTargets.endpointSlice(
                    makePodEndpointSlice(addressType: "IPv6", address: "fd00::2"),
                    service: cache.service,
                    pod: cache.pod
                )
            },
            expected: TargetGroup(
                source: "endpointslice/default/testendpoints",
                labels: podSliceLabels.merging(["__meta_kubernetes_endpointslice_address_type": "IPv6"]) { $1 },
                targets: [
                    podBackedSliceTarget(address: "[fd00::2]:9000", podIP: "fd00::2"),
                    sidePortTarget(podIP: "fd00::2"),
                ]
            )
        ),
    ]

    @Test(arguments: cases)
    func endpointSliceTargetGroup(_ testCase: TargetGroupCase) {
        expectEqualGroups(testCase.build(), testCase.expected)
    }
}
