public import Kubernetes

extension KubernetesTargets {
    /// The `endpoints` role: one target per endpoint address and port, plus, for every pod an address points at, one
    /// target per container port of that pod not covered by an endpoint port.
    ///
    /// Group labels: `__meta_kubernetes_namespace`, the service labels of the `service` role's group when `service`
    /// finds the Service named like the Endpoints object (`_service_name`, `_service_label_*`, …), and
    /// `_endpoints_name`, `_endpoints_label_*`/`_endpoints_labelpresent_*`,
    /// `_endpoints_annotation_*`/`_endpoints_annotationpresent_*`.
    ///
    /// Endpoint targets (ready addresses with `_endpoint_ready="true"`, then not-ready ones with `"false"`, per port
    /// of each subset): `__address__` (`ip:port`, IPv6 in brackets), `_endpoint_port_name`,
    /// `_endpoint_port_protocol`, `_endpoint_ready`, `_endpoint_address_target_kind`/`_name` (with a `targetRef`),
    /// `_endpoint_node_name` (with a `nodeName`), `_endpoint_hostname` (when not empty), the node's
    /// `__meta_kubernetes_node_*` labels (from `nodeName`, else from a `Node` target reference) when `node` finds it,
    /// and for pod-backed addresses all the `pod` role's pod labels (without the namespace) plus, when a container
    /// (or init container) declares the endpoint port, `_pod_container_name`, `_pod_container_image`,
    /// `_pod_container_port_name`, `_pod_container_port_number`, `_pod_container_port_protocol` (the endpoint
    /// port's protocol) and `_pod_container_init`.
    ///
    /// Extra targets, for pods with an IP: `podIP:containerPort` with the pod labels and the container labels above.
    ///
    /// - Parameters:
    ///   - endpoints: The Endpoints object.
    ///   - service: Finds a Service by namespace and name.
    ///   - pod: Finds a Pod by namespace and name (for `targetRef`s of kind `Pod`).
    ///   - node: Finds a Node by name, for `attach_metadata: {node: true}`; by default none.
    /// - Returns: The group with source `endpoints/<namespace>/<name>`.
    public static func endpoints(
        _ endpoints: Endpoints,
        service: NamespacedLookup<Service>,
        pod: NamespacedLookup<Pod>,
        node: NodeLookup = { _ in nil }
    ) -> TargetGroup {
        let namespace = endpoints.metadata.namespace ?? ""
        let name = endpoints.metadata.name ?? ""
        var group = TargetGroup(source: KubernetesRole.endpoints.source(namespace: namespace, name: name))
        var labels = [MetaLabel.namespace: namespace]
        if let service = service(namespace, name) {
            labels = labels.overlaid(with: serviceLabels(service))
        }
        labels.addObjectMetaLabels(endpoints.metadata, role: "endpoints")
        group.labels = labels

        var seenPods = SeenPods()
        for subset in endpoints.subsets ?? [] {
            for port in subset.ports ?? [] {
                // A not-ready address also listed as ready generates the same target again, with `ready="false"`.
                let addresses =
                    (subset.addresses ?? []).map { ($0, "true") }
                    + (subset.notReadyAddresses ?? []).map { ($0, "false") }
                for (address, ready) in addresses {
                    let portNumber = port.port ?? 0
                    var target = [
                        MetaLabel.address: joinHostPort(address.ip, String(portNumber)),
                        MetaLabel.endpointPortName: port.name ?? "",
                        MetaLabel.endpointPortProtocol: port.protocol ?? "",
                        MetaLabel.endpointReady: ready,
                    ]
                    if let reference = address.targetRef {
                        target[MetaLabel.endpointAddressTargetKind] = reference.kind ?? ""
                        target[MetaLabel.endpointAddressTargetName] = reference.name ?? ""
                    }
                    if let nodeName = address.nodeName { target[MetaLabel.endpointNodeName] = nodeName }
                    if let hostname = address.hostname, !hostname.isEmpty {
                        target[MetaLabel.endpointHostname] = hostname
                    }
                    let nodeName =
                        address.nodeName ?? (address.targetRef?.kind == "Node" ? address.targetRef?.name ?? "" : nil)
                    target = target.overlaid(with: nodeMetadataLabels(name: nodeName, lookup: node))

                    guard let backingPod = resolvePod(address.targetRef, lookup: pod) else {
                        group.targets.append(target)
                        continue
                    }
                    seenPods.record(backingPod, port: portNumber)
                    target = target.overlaid(with: podLabels(backingPod))
                    if let match = containerPort(in: backingPod, matching: portNumber) {
                        target[MetaLabel.podContainerName] = match.container.name
                        target[MetaLabel.podContainerImage] = match.container.image ?? ""
                        target[MetaLabel.podContainerPortName] = match.port.name ?? ""
                        target[MetaLabel.podContainerPortNumber] = String(portNumber)
                        target[MetaLabel.podContainerPortProtocol] = port.protocol ?? ""
                        target[MetaLabel.podContainerInit] = String(match.isInit)
                    }
                    group.targets.append(target)
                }
            }
        }
        group.targets += seenPods.uncoveredContainerPortTargets()
        return group
    }

    /// The pod a `targetRef` of kind `Pod` points at, if the lookup finds it.
    static func resolvePod(_ reference: ObjectReference?, lookup: NamespacedLookup<Pod>) -> Pod? {
        guard let reference, reference.kind == "Pod" else { return nil }
        return lookup(reference.namespace ?? "", reference.name ?? "")
    }

    /// The container port matching an endpoint port, as Prometheus finds it: the first matching port of each
    /// container, the last matching container winning (containers first, then init containers).
    static func containerPort(
        in pod: Pod,
        matching portNumber: Int
    ) -> (container: Container, port: ContainerPort, isInit: Bool)? {
        var match: (container: Container, port: ContainerPort, isInit: Bool)?
        for container in allContainers(of: pod) {
            if let port = container.spec.ports?.first(where: { $0.containerPort == portNumber }) {
                match = (container.spec, port, container.isInit)
            }
        }
        return match
    }
}

/// The pods endpoint targets pointed at, in first-seen order, with the endpoint ports they were seen with.
struct SeenPods {
    private var order: [String] = []
    private var entries: [String: (pod: Pod, ports: [Int])] = [:]

    /// Records that `pod` got an endpoint target for `port` (`nil`: a port-less endpoint-slice port).
    mutating func record(_ pod: Pod, port: Int?) {
        let key = "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")"
        if entries[key] == nil {
            order.append(key)
            entries[key] = (pod, [])
        }
        if let port { entries[key]?.ports.append(port) }
    }

    /// One target per container port of the seen pods (with an IP) that no endpoint port covered.
    func uncoveredContainerPortTargets() -> [[String: String]] {
        var targets: [[String: String]] = []
        for key in order {
            guard let entry = entries[key], let podIP = entry.pod.status?.podIP, !podIP.isEmpty else { continue }
            let podLabels = KubernetesTargets.podLabels(entry.pod)
            for container in KubernetesTargets.allContainers(of: entry.pod) {
                for port in container.spec.ports ?? [] where !entry.ports.contains(port.containerPort) {
                    let number = String(port.containerPort)
                    let target = [
                        MetaLabel.address: KubernetesTargets.joinHostPort(podIP, number),
                        MetaLabel.podContainerName: container.spec.name,
                        MetaLabel.podContainerImage: container.spec.image ?? "",
                        MetaLabel.podContainerPortName: port.name ?? "",
                        MetaLabel.podContainerPortNumber: number,
                        MetaLabel.podContainerPortProtocol: port.protocol ?? "",
                        MetaLabel.podContainerInit: String(container.isInit),
                    ]
                    targets.append(target.overlaid(with: podLabels))
                }
            }
        }
        return targets
    }
}
