public import Kubernetes

/// Builds Prometheus-compatible target groups from Kubernetes objects: a port of the target building of Prometheus's
/// `discovery/kubernetes` (roles `pod`, `service`, `node`, `endpoints`, `endpointslice`), with the same sources and
/// the same `__meta_kubernetes_*` label names and values.
///
/// The functions are pure: the caller passes the object an informer reported and, for the roles that join objects,
/// closures that look related objects up in its informer caches (the Service of an Endpoints object, the Pods an
/// endpoint points at, and, for `attach_metadata: {node: true}`, Nodes). A lookup returning `nil` means "not in the
/// cache", exactly as a cache miss in Prometheus: the related labels are then left out.
///
/// Group order and target order follow Prometheus (container order, then init containers; subset/endpoint order,
/// then the extra container-port targets of each pod in the order the pods were first seen). Where Prometheus
/// iterates a Go map (the extra targets of several pods), this port uses first-seen order, which is deterministic.
///
/// When an object is deleted, send ``TargetGroup/deleted(source:)`` with ``KubernetesRole/source(namespace:name:)``.
public enum KubernetesTargets {
    /// Looks a namespaced object up by namespace and name (for example in an informer's cache).
    public typealias NamespacedLookup<Object> = (_ namespace: String, _ name: String) -> Object?
    /// Looks a node up by name (`attach_metadata: {node: true}`).
    public typealias NodeLookup = (_ name: String) -> Node?

    // MARK: - pod

    /// The `pod` role: one target per declared container port, and one port-less target (address = pod IP) per
    /// container without ports, init containers included (`__meta_kubernetes_pod_container_init="true"`).
    ///
    /// A pod without an IP (pending or evicted) yields an empty group (no labels, no targets), which removes its
    /// earlier targets. Group labels: `__meta_kubernetes_namespace`, `_pod_name`, `_pod_ip`, `_pod_ready`
    /// (`true`/`false`/`unknown`), `_pod_phase`, `_pod_node_name`, `_pod_host_ip`, `_pod_uid`,
    /// `_pod_label_<name>`/`_pod_labelpresent_<name>`, `_pod_annotation_<name>`/`_pod_annotationpresent_<name>`,
    /// `_pod_controller_kind`/`_pod_controller_name` (when the pod has a controller), plus the node's
    /// `__meta_kubernetes_node_*` labels when `node` finds the pod's node. Target labels: `__address__`,
    /// `_pod_container_name`, `_pod_container_id`, `_pod_container_image`, `_pod_container_init`, and for ported
    /// targets `_pod_container_port_name`, `_pod_container_port_number`, `_pod_container_port_protocol`.
    ///
    /// - Parameters:
    ///   - pod: The pod.
    ///   - node: Finds the pod's node by `spec.nodeName`, for `attach_metadata: {node: true}`; by default none.
    /// - Returns: The group with source `pod/<namespace>/<name>`.
    public static func pod(_ pod: Pod, node: NodeLookup = { _ in nil }) -> TargetGroup {
        let namespace = pod.metadata.namespace ?? ""
        var group = TargetGroup(source: KubernetesRole.pod.source(namespace: namespace, name: pod.metadata.name ?? ""))
        // The pod IP is empty while a pod is starting or after it has been evicted.
        guard let podIP = pod.status?.podIP, !podIP.isEmpty else { return group }

        var labels = podLabels(pod)
        labels[MetaLabel.namespace] = namespace
        group.labels = labels.overlaid(with: nodeMetadataLabels(name: pod.spec?.nodeName ?? "", lookup: node))

        for container in allContainers(of: pod) {
            let statuses = container.isInit ? pod.status?.initContainerStatuses : pod.status?.containerStatuses
            let containerID = statuses?.first { $0.name == container.spec.name }?.containerID ?? ""
            let common = [
                MetaLabel.podContainerName: container.spec.name,
                MetaLabel.podContainerID: containerID,
                MetaLabel.podContainerImage: container.spec.image ?? "",
                MetaLabel.podContainerInit: String(container.isInit),
            ]
            guard let ports = container.spec.ports, !ports.isEmpty else {
                // No port: the address is the bare pod IP, a port has to be added by relabeling.
                group.targets.append(common.overlaid(with: [MetaLabel.address: podIP]))
                continue
            }
            for port in ports {
                let number = String(port.containerPort)
                group.targets.append(
                    common.overlaid(with: [
                        MetaLabel.address: joinHostPort(podIP, number),
                        MetaLabel.podContainerPortNumber: number,
                        MetaLabel.podContainerPortName: port.name ?? "",
                        MetaLabel.podContainerPortProtocol: port.protocol ?? "",
                    ])
                )
            }
        }
        return group
    }

    // MARK: - service

    /// The `service` role: one target per service port, addressed `<name>.<namespace>.svc:<port>`.
    ///
    /// Group labels: `__meta_kubernetes_namespace`, `_service_name`, `_service_label_*`/`_service_labelpresent_*`,
    /// `_service_annotation_*`/`_service_annotationpresent_*`. Target labels: `__address__`, `_service_port_name`,
    /// `_service_port_number`, `_service_port_protocol`, `_service_type`, then `_service_external_name` for
    /// `ExternalName` services or `_service_cluster_ip` for the others, and `_service_loadbalancer_ip` for
    /// `LoadBalancer` services.
    ///
    /// - Parameter service: The service.
    /// - Returns: The group with source `svc/<namespace>/<name>`.
    public static func service(_ service: Service) -> TargetGroup {
        let namespace = service.metadata.namespace ?? ""
        let name = service.metadata.name ?? ""
        var group = TargetGroup(
            source: KubernetesRole.service.source(namespace: namespace, name: name),
            labels: serviceLabels(service)
        )
        let type = service.spec?.type ?? ""
        for port in service.spec?.ports ?? [] {
            let number = String(port.port)
            var target = [
                MetaLabel.address: joinHostPort("\(name).\(namespace).svc", number),
                MetaLabel.servicePortName: port.name ?? "",
                MetaLabel.servicePortNumber: number,
                MetaLabel.servicePortProtocol: port.protocol ?? "",
                MetaLabel.serviceType: type,
            ]
            if type == "ExternalName" {
                target[MetaLabel.serviceExternalName] = service.spec?.externalName ?? ""
            } else {
                target[MetaLabel.serviceClusterIP] = service.spec?.clusterIP ?? ""
            }
            if type == "LoadBalancer" {
                target[MetaLabel.serviceLoadBalancerIP] = service.spec?.loadBalancerIP ?? ""
            }
            group.targets.append(target)
        }
        return group
    }

    // MARK: - node

    /// The node address types in the order Prometheus picks the target address from (derived from
    /// k8s.io/kubernetes `pkg/util/node`).
    public static let nodeAddressPriority = [
        "InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname",
    ]

    /// The `node` role: one target per node, the kubelet: `<address>:<kubelet port>` with `instance` set to the node
    /// name.
    ///
    /// The address is the node's first address of the first type present in ``nodeAddressPriority``. Group labels:
    /// `__meta_kubernetes_node_name`, `_node_provider_id`, `_node_label_*`/`_node_labelpresent_*`,
    /// `_node_annotation_*`/`_node_annotationpresent_*`. Target labels: `__address__`, `instance`, and
    /// `_node_address_<type>` with the first address of each type (type sanitized).
    ///
    /// - Parameter node: The node.
    /// - Returns: The group with source `node/<name>`, or `nil` when the node has no usable address (Prometheus then
    ///   sends nothing, leaving earlier targets in place).
    public static func node(_ node: Node) -> TargetGroup? {
        let name = node.metadata.name ?? ""
        var addressesByType: [String: [String]] = [:]
        for address in node.status?.addresses ?? [] {
            addressesByType[address.type, default: []].append(address.address)
        }
        guard let host = nodeAddressPriority.lazy.compactMap({ addressesByType[$0]?.first }).first else { return nil }

        var labels = [MetaLabel.nodeProviderID: node.spec?.providerID ?? ""]
        labels.addObjectMetaLabels(node.metadata, role: "node")
        let kubeletPort = node.status?.daemonEndpoints?.kubeletEndpoint?.port ?? 0
        var target = [
            MetaLabel.address: joinHostPort(host, String(kubeletPort)),
            MetaLabel.instance: name,
        ]
        for (type, addresses) in addressesByType {
            if let first = addresses.first {
                target[sanitizeLabelName(MetaLabel.nodeAddressPrefix + type)] = first
            }
        }
        return TargetGroup(
            source: KubernetesRole.node.source(namespace: "", name: name),
            labels: labels,
            targets: [target]
        )
    }

    // MARK: - shared pieces

    /// A pod's containers followed by its init containers.
    static func allContainers(of pod: Pod) -> [(spec: Container, isInit: Bool)] {
        let containers = (pod.spec?.containers ?? []).map { (spec: $0, isInit: false) }
        return containers + (pod.spec?.initContainers ?? []).map { (spec: $0, isInit: true) }
    }

    /// Prometheus's `podLabels`: the pod labels shared by the pod role and by pod-backed endpoint targets (without
    /// `__meta_kubernetes_namespace`).
    static func podLabels(_ pod: Pod) -> [String: String] {
        var labels = [
            MetaLabel.podIP: pod.status?.podIP ?? "",
            MetaLabel.podReady: podReady(pod),
            MetaLabel.podPhase: pod.status?.phase ?? "",
            MetaLabel.podNodeName: pod.spec?.nodeName ?? "",
            MetaLabel.podHostIP: pod.status?.hostIP ?? "",
            MetaLabel.podUID: pod.metadata.uid ?? "",
        ]
        labels.addObjectMetaLabels(pod.metadata, role: "pod")
        if let controller = pod.metadata.controller {
            if !controller.kind.isEmpty { labels[MetaLabel.podControllerKind] = controller.kind }
            if !controller.name.isEmpty { labels[MetaLabel.podControllerName] = controller.name }
        }
        return labels
    }

    /// The lower-cased status of the pod's `Ready` condition, `unknown` without one.
    static func podReady(_ pod: Pod) -> String {
        (pod.status?.conditions?.first { $0.type == "Ready" }?.status ?? "Unknown").lowercased()
    }

    /// Prometheus's `serviceLabels`: namespace and the service's object-meta labels.
    static func serviceLabels(_ service: Service) -> [String: String] {
        var labels = [MetaLabel.namespace: service.metadata.namespace ?? ""]
        labels.addObjectMetaLabels(service.metadata, role: "service")
        return labels
    }

    /// Prometheus's `addNodeLabels`: the node's object-meta labels when `name` is set and the lookup finds the node.
    static func nodeMetadataLabels(name: String?, lookup: NodeLookup) -> [String: String] {
        guard let name, let node = lookup(name) else { return [:] }
        var labels: [String: String] = [:]
        labels.addObjectMetaLabels(node.metadata, role: "node")
        return labels
    }
}
