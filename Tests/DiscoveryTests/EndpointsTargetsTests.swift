import Discovery
import Kubernetes
import Testing

/// The endpoint target for 4.3.2.1:9000 backed by `makeTwoContainerPod`, matching container c1.
func podBackedEndpointTarget(address: String = "4.3.2.1:9000", podIP: String = "1.2.3.4") -> Labels {
    twoContainerPodLabels(podIP: podIP).merging([
        "__address__": address,
        "__meta_kubernetes_endpoint_port_name": "testport",
        "__meta_kubernetes_endpoint_port_protocol": "TCP",
        "__meta_kubernetes_endpoint_ready": "true",
        "__meta_kubernetes_endpoint_address_target_kind": "Pod",
        "__meta_kubernetes_endpoint_address_target_name": "testpod",
        "__meta_kubernetes_pod_container_name": "c1",
        "__meta_kubernetes_pod_container_image": "c1:latest",
        "__meta_kubernetes_pod_container_port_name": "mainport",
        "__meta_kubernetes_pod_container_port_number": "9000",
        "__meta_kubernetes_pod_container_port_protocol": "TCP",
        "__meta_kubernetes_pod_container_init": "false",
    ]) { $1 }
}

/// The extra target for container c2's port 9001 of `makeTwoContainerPod`.
func sidePortTarget(podIP: String = "1.2.3.4") -> Labels {
    twoContainerPodLabels(podIP: podIP).merging([
        "__address__": KubernetesTargets.joinHostPort(podIP, "9001"),
        "__meta_kubernetes_pod_container_name": "c2",
        "__meta_kubernetes_pod_container_image": "c2:latest",
        "__meta_kubernetes_pod_container_port_name": "sideport",
        "__meta_kubernetes_pod_container_port_number": "9001",
        "__meta_kubernetes_pod_container_port_protocol": "TCP",
        "__meta_kubernetes_pod_container_init": "false",
    ]) { $1 }
}

/// An Endpoints object with one pod-backed address 4.3.2.1 on port 9000.
func makePodEndpoints(namespace: String = "default", portName: String = "testport") -> Endpoints {
    Endpoints(
        metadata: meta(name: "testendpoints", namespace: namespace),
        subsets: [
            EndpointSubset(
                addresses: [
                    EndpointAddress(
                        ip: "4.3.2.1",
                        targetRef: ObjectReference(kind: "Pod", namespace: namespace, name: "testpod")
                    )
                ],
                ports: [EndpointPort(name: portName, port: 9000, protocol: "TCP")]
            )
        ]
    )
}

struct EndpointsTargetsTests {
    static let mainLabels: Labels = [
        "__meta_kubernetes_namespace": "default",
        "__meta_kubernetes_endpoints_name": "testendpoints",
        "__meta_kubernetes_endpoints_annotation_test_annotation": "test",
        "__meta_kubernetes_endpoints_annotationpresent_test_annotation": "true",
    ]

    static let cases: [TargetGroupCase] = [
        // TestEndpointsDiscoveryBeforeRun.
        TargetGroupCase(
            name: "ready and not-ready addresses, hostname, node name, Node target reference",
            build: { KubernetesTargets.endpoints(makeEndpoints(), service: Cache().service, pod: Cache().pod) },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: mainLabels,
                targets: expectedEndpointsTargets()
            )
        ),
        // TestEndpointsDiscoveryAdd.
        TargetGroupCase(
            name: "pod-backed address gets pod labels, container labels and extra targets for other ports",
            build: {
                let cache = Cache(pods: [makeTwoContainerPod()])
                return KubernetesTargets.endpoints(makePodEndpoints(), service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: [
                    "__meta_kubernetes_endpoints_name": "testendpoints", "__meta_kubernetes_namespace": "default",
                ],
                targets: [podBackedEndpointTarget(), sidePortTarget()]
            )
        ),
        // TestEndpointsDiscoveryNamespaces, "endpoints/ns2/testendpoints" (single-container pod, IP 4.3.2.1).
        TargetGroupCase(
            name: "pod-backed address in another namespace",
            build: {
                var pod = makeTwoContainerPod(namespace: "ns2", podIP: "4.3.2.1")
                pod.spec?.containers.removeLast()
                let cache = Cache(pods: [pod, makeTwoContainerPod()])
                return KubernetesTargets.endpoints(
                    makePodEndpoints(namespace: "ns2"),
                    service: cache.service,
                    pod: cache.pod
                )
            },
            expected: TargetGroup(
                source: "endpoints/ns2/testendpoints",
                labels: ["__meta_kubernetes_endpoints_name": "testendpoints", "__meta_kubernetes_namespace": "ns2"],
                targets: [podBackedEndpointTarget(podIP: "4.3.2.1")]
            )
        ),
        // TestEndpointsDiscoveryUpdate.
        TargetGroupCase(
            name: "plain addresses",
            build: {
                let endpoints = Endpoints(
                    metadata: meta(name: "testendpoints", namespace: "default"),
                    subsets: [
                        EndpointSubset(
                            addresses: [EndpointAddress(ip: "1.2.3.4")],
                            ports: [EndpointPort(name: "testport", port: 9000, protocol: "TCP")]
                        ),
                        EndpointSubset(
                            addresses: [EndpointAddress(ip: "2.3.4.5")],
                            ports: [EndpointPort(name: "testport", port: 9001, protocol: "TCP")]
                        ),
                    ]
                )
                return KubernetesTargets.endpoints(endpoints, service: Cache().service, pod: Cache().pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: [
                    "__meta_kubernetes_namespace": "default", "__meta_kubernetes_endpoints_name": "testendpoints",
                ],
                targets: [
                    [
                        "__address__": "1.2.3.4:9000",
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
                ]
            )
        ),
        // TestEndpointsDiscoveryEmptySubsets.
        TargetGroupCase(
            name: "empty subsets: labels, no targets",
            build: {
                let endpoints = Endpoints(metadata: meta(name: "testendpoints", namespace: "default"), subsets: [])
                return KubernetesTargets.endpoints(endpoints, service: Cache().service, pod: Cache().pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: ["__meta_kubernetes_namespace": "default", "__meta_kubernetes_endpoints_name": "testendpoints"]
            )
        ),
        // TestEndpointsDiscoveryWithService.
        TargetGroupCase(
            name: "the service's labels are added to the group",
            build: {
                let cache = Cache(services: [makeEndpointsService()])
                return KubernetesTargets.endpoints(makeEndpoints(), service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: mainLabels.merging([
                    "__meta_kubernetes_service_label_app_name": "test",
                    "__meta_kubernetes_service_labelpresent_app_name": "true",
                    "__meta_kubernetes_service_name": "testendpoints",
                ]) { $1 },
                targets: expectedEndpointsTargets()
            )
        ),
        // TestEndpointsDiscoveryWithServiceUpdate.
        TargetGroupCase(
            name: "updated service labels",
            build: {
                let cache = Cache(services: [
                    makeEndpointsService(labels: ["app/name": "svc", "component": "testing"])
                ])
                return KubernetesTargets.endpoints(makeEndpoints(), service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: mainLabels.merging([
                    "__meta_kubernetes_service_label_app_name": "svc",
                    "__meta_kubernetes_service_labelpresent_app_name": "true",
                    "__meta_kubernetes_service_name": "testendpoints",
                    "__meta_kubernetes_service_label_component": "testing",
                    "__meta_kubernetes_service_labelpresent_component": "true",
                ]) { $1 },
                targets: expectedEndpointsTargets()
            )
        ),
        // TestEndpointsDiscoveryWithNodeMetadata.
        TargetGroupCase(
            name: "attach_metadata.node: node labels from nodeName or a Node target reference",
            build: {
                let cache = Cache(
                    services: [makeEndpointsService()],
                    nodes: [
                        makeNode("foobar", address: "", labels: ["az": "us-east1"]),
                        makeNode("barbaz", address: "", labels: ["az": "us-west2"]),
                    ]
                )
                return KubernetesTargets.endpoints(
                    makeEndpoints(),
                    service: cache.service,
                    pod: cache.pod,
                    node: cache.node
                )
            },
            expected: {
                var targets = expectedEndpointsTargets()
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
                    source: "endpoints/default/testendpoints",
                    labels: mainLabels.merging([
                        "__meta_kubernetes_service_label_app_name": "test",
                        "__meta_kubernetes_service_labelpresent_app_name": "true",
                        "__meta_kubernetes_service_name": "testendpoints",
                    ]) { $1 },
                    targets: targets
                )
            }()
        ),
        // TestEndpointsDiscoveryUpdatePod.
        TargetGroupCase(
            name: "pod phase and readiness come from the pod",
            build: {
                var pod = makeTwoContainerPod(podIP: "4.3.2.1")
                pod.spec?.containers.removeLast()
                pod.status?.phase = "Running"
                pod.status?.conditions = [readyCondition("True")]
                let cache = Cache(pods: [pod])
                return KubernetesTargets.endpoints(
                    makePodEndpoints(portName: "mainport"),
                    service: cache.service,
                    pod: cache.pod
                )
            },
            expected: {
                var target = podBackedEndpointTarget(podIP: "4.3.2.1")
                target["__meta_kubernetes_endpoint_port_name"] = "mainport"
                target["__meta_kubernetes_pod_phase"] = "Running"
                target["__meta_kubernetes_pod_ready"] = "true"
                return TargetGroup(
                    source: "endpoints/default/testendpoints",
                    labels: [
                        "__meta_kubernetes_namespace": "default", "__meta_kubernetes_endpoints_name": "testendpoints",
                    ],
                    targets: [target]
                )
            }()
        ),
        // TestEndpointsDiscoverySidecarContainer.
        TargetGroupCase(
            name: "init (sidecar) containers: matched endpoint port and extra targets with _container_init=true",
            build: {
                var pod = makeTwoContainerPod(podIP: "4.3.2.1")
                pod.spec?.containers.removeLast()
                pod.spec?.initContainers = [
                    Container(
                        name: "ic1",
                        image: "ic1:latest",
                        ports: [ContainerPort(name: "initport", containerPort: 1111, protocol: "TCP")]
                    ),
                    Container(
                        name: "ic2",
                        image: "ic2:latest",
                        ports: [ContainerPort(name: "initport", containerPort: 9111, protocol: "TCP")]
                    ),
                ]
                let endpoints = Endpoints(
                    metadata: meta(name: "testsidecar", namespace: "default"),
                    subsets: [
                        EndpointSubset(
                            addresses: [
                                EndpointAddress(
                                    ip: "4.3.2.1",
                                    targetRef: ObjectReference(kind: "Pod", namespace: "default", name: "testpod")
                                )
                            ],
                            ports: [
                                EndpointPort(name: "testport", port: 9000, protocol: "TCP"),
                                EndpointPort(name: "initport", port: 9111, protocol: "TCP"),
                            ]
                        )
                    ]
                )
                let cache = Cache(pods: [pod])
                return KubernetesTargets.endpoints(endpoints, service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testsidecar",
                labels: ["__meta_kubernetes_endpoints_name": "testsidecar", "__meta_kubernetes_namespace": "default"],
                targets: [
                    podBackedEndpointTarget(podIP: "4.3.2.1"),
                    twoContainerPodLabels(podIP: "4.3.2.1").merging([
                        "__address__": "4.3.2.1:9111",
                        "__meta_kubernetes_endpoint_address_target_kind": "Pod",
                        "__meta_kubernetes_endpoint_address_target_name": "testpod",
                        "__meta_kubernetes_endpoint_port_name": "initport",
                        "__meta_kubernetes_endpoint_port_protocol": "TCP",
                        "__meta_kubernetes_endpoint_ready": "true",
                        "__meta_kubernetes_pod_container_image": "ic2:latest",
                        "__meta_kubernetes_pod_container_name": "ic2",
                        "__meta_kubernetes_pod_container_port_name": "initport",
                        "__meta_kubernetes_pod_container_port_number": "9111",
                        "__meta_kubernetes_pod_container_port_protocol": "TCP",
                        "__meta_kubernetes_pod_container_init": "true",
                    ]) { $1 },
                    twoContainerPodLabels(podIP: "4.3.2.1").merging([
                        "__address__": "4.3.2.1:1111",
                        "__meta_kubernetes_pod_container_image": "ic1:latest",
                        "__meta_kubernetes_pod_container_name": "ic1",
                        "__meta_kubernetes_pod_container_port_name": "initport",
                        "__meta_kubernetes_pod_container_port_number": "1111",
                        "__meta_kubernetes_pod_container_port_protocol": "TCP",
                        "__meta_kubernetes_pod_container_init": "true",
                    ]) { $1 },
                ]
            )
        ),
        TargetGroupCase(
            name: "pod without IP: endpoint target keeps pod labels, no extra targets",
            build: {
                let cache = Cache(pods: [makeTwoContainerPod(podIP: "")])
                return KubernetesTargets.endpoints(makePodEndpoints(), service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: [
                    "__meta_kubernetes_endpoints_name": "testendpoints", "__meta_kubernetes_namespace": "default",
                ],
                targets: [podBackedEndpointTarget(podIP: "")]
            )
        ),
        TargetGroupCase(
            name: "pod missing from the cache: target reference labels only",
            build: { KubernetesTargets.endpoints(makePodEndpoints(), service: Cache().service, pod: Cache().pod) },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: [
                    "__meta_kubernetes_endpoints_name": "testendpoints", "__meta_kubernetes_namespace": "default",
                ],
                targets: [
                    [
                        "__address__": "4.3.2.1:9000",
                        "__meta_kubernetes_endpoint_port_name": "testport",
                        "__meta_kubernetes_endpoint_port_protocol": "TCP",
                        "__meta_kubernetes_endpoint_ready": "true",
                        "__meta_kubernetes_endpoint_address_target_kind": "Pod",
                        "__meta_kubernetes_endpoint_address_target_name": "testpod",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "IPv6 endpoint and pod addresses are bracketed",
            build: {
                var endpoints = makePodEndpoints()
                endpoints.subsets?[0].addresses?[0].ip = "fd00::1"
                let cache = Cache(pods: [makeTwoContainerPod(podIP: "fd00::1")])
                return KubernetesTargets.endpoints(endpoints, service: cache.service, pod: cache.pod)
            },
            expected: TargetGroup(
                source: "endpoints/default/testendpoints",
                labels: [
                    "__meta_kubernetes_endpoints_name": "testendpoints", "__meta_kubernetes_namespace": "default",
                ],
                targets: [
                    podBackedEndpointTarget(address: "[fd00::1]:9000", podIP: "fd00::1"),
                    sidePortTarget(podIP: "fd00::1"),
                ]
            )
        ),
    ]

    @Test(arguments: cases)
    func endpointsTargetGroup(_ testCase: TargetGroupCase) {
        expectEqualGroups(testCase.build(), testCase.expected)
    }
}
