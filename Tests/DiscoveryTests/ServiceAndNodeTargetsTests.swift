import Discovery
import Kubernetes
import Testing

struct ServiceTargetsTests {
    static let cases: [TargetGroupCase] = [
        // TestServiceDiscoveryAdd, "svc/default/testservice".
        TargetGroupCase(
            name: "ClusterIP service",
            build: { KubernetesTargets.service(makeService()) },
            expected: TargetGroup(
                source: "svc/default/testservice",
                labels: ["__meta_kubernetes_service_name": "testservice", "__meta_kubernetes_namespace": "default"],
                targets: [
                    [
                        "__meta_kubernetes_service_port_protocol": "TCP",
                        "__address__": "testservice.default.svc:30900",
                        "__meta_kubernetes_service_type": "ClusterIP",
                        "__meta_kubernetes_service_cluster_ip": "10.0.0.1",
                        "__meta_kubernetes_service_port_name": "testport",
                        "__meta_kubernetes_service_port_number": "30900",
                    ]
                ]
            )
        ),
        // TestServiceDiscoveryAdd, "svc/default/testservice-external".
        TargetGroupCase(
            name: "ExternalName service has _external_name and no _cluster_ip",
            build: { KubernetesTargets.service(makeExternalService()) },
            expected: TargetGroup(
                source: "svc/default/testservice-external",
                labels: [
                    "__meta_kubernetes_service_name": "testservice-external", "__meta_kubernetes_namespace": "default",
                ],
                targets: [
                    [
                        "__meta_kubernetes_service_port_protocol": "TCP",
                        "__address__": "testservice-external.default.svc:31900",
                        "__meta_kubernetes_service_type": "ExternalName",
                        "__meta_kubernetes_service_port_name": "testport",
                        "__meta_kubernetes_service_port_number": "31900",
                        "__meta_kubernetes_service_external_name": "FooExternalName",
                    ]
                ]
            )
        ),
        // TestServiceDiscoveryAdd, "svc/default/testservice-loadbalancer": the value is spec.loadBalancerIP.
        TargetGroupCase(
            name: "LoadBalancer service has _loadbalancer_ip",
            build: { KubernetesTargets.service(makeLoadBalancerService()) },
            expected: TargetGroup(
                source: "svc/default/testservice-loadbalancer",
                labels: [
                    "__meta_kubernetes_service_name": "testservice-loadbalancer",
                    "__meta_kubernetes_namespace": "default",
                ],
                targets: [
                    [
                        "__meta_kubernetes_service_port_protocol": "TCP",
                        "__address__": "testservice-loadbalancer.default.svc:31900",
                        "__meta_kubernetes_service_type": "LoadBalancer",
                        "__meta_kubernetes_service_port_name": "testport",
                        "__meta_kubernetes_service_port_number": "31900",
                        "__meta_kubernetes_service_cluster_ip": "10.0.0.1",
                        "__meta_kubernetes_service_loadbalancer_ip": "127.0.0.1",
                    ]
                ]
            )
        ),
        // TestServiceDiscoveryUpdate.
        TargetGroupCase(
            name: "multi-port service with labels and annotations",
            build: { KubernetesTargets.service(makeMultiPortService()) },
            expected: TargetGroup(
                source: "svc/default/testservice",
                labels: [
                    "__meta_kubernetes_service_name": "testservice",
                    "__meta_kubernetes_namespace": "default",
                    "__meta_kubernetes_service_label_test_label": "testvalue",
                    "__meta_kubernetes_service_labelpresent_test_label": "true",
                    "__meta_kubernetes_service_annotation_test_annotation": "testannotationvalue",
                    "__meta_kubernetes_service_annotationpresent_test_annotation": "true",
                ],
                targets: [
                    [
                        "__meta_kubernetes_service_port_protocol": "TCP",
                        "__address__": "testservice.default.svc:30900",
                        "__meta_kubernetes_service_type": "ClusterIP",
                        "__meta_kubernetes_service_cluster_ip": "10.0.0.1",
                        "__meta_kubernetes_service_port_name": "testport0",
                        "__meta_kubernetes_service_port_number": "30900",
                    ],
                    [
                        "__meta_kubernetes_service_port_protocol": "UDP",
                        "__address__": "testservice.default.svc:30901",
                        "__meta_kubernetes_service_type": "ClusterIP",
                        "__meta_kubernetes_service_cluster_ip": "10.0.0.1",
                        "__meta_kubernetes_service_port_name": "testport1",
                        "__meta_kubernetes_service_port_number": "30901",
                    ],
                ]
            )
        ),
        // TestServiceDiscoveryNamespaces, "svc/ns2/testservice".
        TargetGroupCase(
            name: "service in another namespace",
            build: { KubernetesTargets.service(makeService(namespace: "ns2")) },
            expected: TargetGroup(
                source: "svc/ns2/testservice",
                labels: ["__meta_kubernetes_service_name": "testservice", "__meta_kubernetes_namespace": "ns2"],
                targets: [
                    [
                        "__meta_kubernetes_service_port_protocol": "TCP",
                        "__address__": "testservice.ns2.svc:30900",
                        "__meta_kubernetes_service_type": "ClusterIP",
                        "__meta_kubernetes_service_cluster_ip": "10.0.0.1",
                        "__meta_kubernetes_service_port_name": "testport",
                        "__meta_kubernetes_service_port_number": "30900",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "service without ports has labels and no targets",
            build: { KubernetesTargets.service(Service(metadata: meta(name: "headless", namespace: "default"))) },
            expected: TargetGroup(
                source: "svc/default/headless",
                labels: ["__meta_kubernetes_service_name": "headless", "__meta_kubernetes_namespace": "default"]
            )
        ),
    ]

    @Test(arguments: cases)
    func serviceTargetGroup(_ testCase: TargetGroupCase) {
        expectEqualGroups(testCase.build(), testCase.expected)
    }
}

struct NodeTargetsTests {
    static func node(_ name: String, addresses: [(String, String)], port: Int = 10250) -> Node {
        Node(
            metadata: meta(name: name),
            status: NodeStatus(
                addresses: addresses.map { NodeAddress(type: $0.0, address: $0.1) },
                daemonEndpoints: NodeDaemonEndpoints(kubeletEndpoint: DaemonEndpoint(port: port))
            )
        )
    }

    static let cases: [TargetGroupCase] = [
        // TestNodeDiscoveryBeforeStart.
        TargetGroupCase(
            name: "node with labels and annotations",
            build: {
                KubernetesTargets.node(
                    makeNode(
                        "test",
                        labels: ["test-label": "testvalue"],
                        annotations: ["test-annotation": "testannotationvalue"]
                    )
                )
            },
            expected: TargetGroup(
                source: "node/test",
                labels: [
                    "__meta_kubernetes_node_name": "test",
                    "__meta_kubernetes_node_provider_id": "",
                    "__meta_kubernetes_node_label_test_label": "testvalue",
                    "__meta_kubernetes_node_labelpresent_test_label": "true",
                    "__meta_kubernetes_node_annotation_test_annotation": "testannotationvalue",
                    "__meta_kubernetes_node_annotationpresent_test_annotation": "true",
                ],
                targets: [
                    [
                        "__address__": "1.2.3.4:10250",
                        "instance": "test",
                        "__meta_kubernetes_node_address_InternalIP": "1.2.3.4",
                    ]
                ]
            )
        ),
        // TestNodeDiscoveryUpdate.
        TargetGroupCase(
            name: "node label names keep their case",
            build: { KubernetesTargets.node(makeNode("test0", labels: ["Unschedulable": "true"], annotations: [:])) },
            expected: TargetGroup(
                source: "node/test0",
                labels: [
                    "__meta_kubernetes_node_label_Unschedulable": "true",
                    "__meta_kubernetes_node_labelpresent_Unschedulable": "true",
                    "__meta_kubernetes_node_name": "test0",
                    "__meta_kubernetes_node_provider_id": "",
                ],
                targets: [
                    [
                        "__address__": "1.2.3.4:10250",
                        "instance": "test0",
                        "__meta_kubernetes_node_address_InternalIP": "1.2.3.4",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "provider ID",
            build: { KubernetesTargets.node(makeNode("n1", providerID: "aws:///eu-west-1a/i-0123")) },
            expected: TargetGroup(
                source: "node/n1",
                labels: [
                    "__meta_kubernetes_node_name": "n1",
                    "__meta_kubernetes_node_provider_id": "aws:///eu-west-1a/i-0123",
                ],
                targets: [
                    [
                        "__address__": "1.2.3.4:10250",
                        "instance": "n1",
                        "__meta_kubernetes_node_address_InternalIP": "1.2.3.4",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "address priority: InternalDNS before ExternalIP and Hostname; first address of each type",
            build: {
                KubernetesTargets.node(
                    node(
                        "n2",
                        addresses: [
                            ("Hostname", "n2.local"), ("ExternalIP", "203.0.113.7"), ("InternalDNS", "n2.internal"),
                            ("ExternalIP", "203.0.113.8"),
                        ]
                    )
                )
            },
            expected: TargetGroup(
                source: "node/n2",
                labels: ["__meta_kubernetes_node_name": "n2", "__meta_kubernetes_node_provider_id": ""],
                targets: [
                    [
                        "__address__": "n2.internal:10250",
                        "instance": "n2",
                        "__meta_kubernetes_node_address_Hostname": "n2.local",
                        "__meta_kubernetes_node_address_ExternalIP": "203.0.113.7",
                        "__meta_kubernetes_node_address_InternalDNS": "n2.internal",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "Hostname is the last resort",
            build: { KubernetesTargets.node(node("n3", addresses: [("Hostname", "n3.local")], port: 10255)) },
            expected: TargetGroup(
                source: "node/n3",
                labels: ["__meta_kubernetes_node_name": "n3", "__meta_kubernetes_node_provider_id": ""],
                targets: [
                    [
                        "__address__": "n3.local:10255",
                        "instance": "n3",
                        "__meta_kubernetes_node_address_Hostname": "n3.local",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "IPv6 InternalIP is bracketed; unknown address types are sanitized but never chosen",
            build: {
                KubernetesTargets.node(
                    node("n4", addresses: [("Custom-Type", "10.9.9.9"), ("InternalIP", "fd00::4")])
                )
            },
            expected: TargetGroup(
                source: "node/n4",
                labels: ["__meta_kubernetes_node_name": "n4", "__meta_kubernetes_node_provider_id": ""],
                targets: [
                    [
                        "__address__": "[fd00::4]:10250",
                        "instance": "n4",
                        "__meta_kubernetes_node_address_InternalIP": "fd00::4",
                        "__meta_kubernetes_node_address_Custom_Type": "10.9.9.9",
                    ]
                ]
            )
        ),
        TargetGroupCase(
            name: "node without a known address type yields no group",
            build: { KubernetesTargets.node(node("n5", addresses: [("Custom", "10.9.9.9")])) },
            expected: nil
        ),
        TargetGroupCase(
            name: "node without status yields no group",
            build: { KubernetesTargets.node(Node(metadata: meta(name: "n6"))) },
            expected: nil
        ),
    ]

    @Test(arguments: cases)
    func nodeTargetGroup(_ testCase: TargetGroupCase) {
        expectEqualGroups(testCase.build(), testCase.expected)
    }
}
