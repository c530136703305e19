public import Kubernetes

extension KubernetesTargets {
    /// The label of an EndpointSlice that names its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    /// The `endpointslice` role: one target per endpoint address and slice port, plus, for every pod an endpoint
    /// points at, one target per container port of that pod not covered by a slice port.
    ///
    /// Group labels: `__meta_kubernetes_namespace`, `_endpointslice_address_type`, `_endpointslice_name`,
    /// `_endpointslice_label_*`/`_endpointslice_labelpresent_*`,
    /// `_endpointslice_annotation_*`/`_endpointslice_annotationpresent_*`, and the `service` role's group labels
    /// when `service` finds the Service named by the slice's `kubernetes.io/service-name` label.
    ///
    /// Endpoint targets (per endpoint, per slice port, per address): `__address__` (`address:port`, IPv6 in
    /// brackets; the bare address when the port has no number), and only for the fields that are set:
    /// `_endpointslice_port_name`, `_endpointslice_port_protocol`, `_endpointslice_port`,
    /// `_endpointslice_port_app_protocol`, `_endpointslice_endpoint_conditions_ready`/`_serving`/`_terminating`,
    /// `_endpointslice_endpoint_hostname`, `_endpointslice_address_target_kind`/`_name` (with a `targetRef`),
    /// `_endpointslice_endpoint_node_name`, `_endpointslice_endpoint_zone`; the node's `__meta_kubernetes_node_*`
    /// labels (from a `Node` target reference, else from `nodeName`) when `node` finds it; and for pod-backed
    /// endpoints the pod labels and matching container-port labels as in ``endpoints(_:service:pod:node:)``, except
    /// that `_pod_container_port_protocol` is the container port's protocol.
    ///
    /// - Note: `_endpointslice_endpoint_topology_*` (from the deprecated `deprecatedTopology` field) is not produced:
    ///   the `SliceEndpoint` model does not decode that field.
    ///
    /// - Parameters:
    ///   - slice: The EndpointSlice (discovery.k8s.io/v1).
    ///   - service: Finds a Service by namespace and name.
    ///   - pod: Finds a Pod by namespace and name (for `targetRef`s of kind `Pod`).
    ///   - node: Finds a Node by name, for `attach_metadata: {node: true}`; by default none.
    /// - Returns: The group with source `endpointslice/<namespace>/<name>`.
    public static func endpointSlice(
        _ slice: EndpointSlice,
        service: NamespacedLookup<Service>,
        pod: NamespacedLookup<Pod>,
        node: NodeLookup = { _ in nil }
    ) -> TargetGroup {
        let namespace = slice.metadata.namespace ?? ""
        let name = slice.metadata.name ?? ""
        var group = TargetGroup(source: KubernetesRole.endpointSlice.source(namespace: namespace, name: name))
        var labels = [MetaLabel.namespace: namespace, MetaLabel.endpointSliceAddressType: slice.addressType]
        labels.addObjectMetaLabels(slice.metadata, role: "endpointslice")
        if let serviceName = slice.metadata.labels?[serviceNameLabel], let service = service(namespace, serviceName) {
            labels = labels.overlaid(with: serviceLabels(service))
        }
        group.labels = labels

        var seenPods = SeenPods()
        for endpoint in slice.endpoints ?? [] {
            for port in slice.ports ?? [] {
                for address in endpoint.addresses {
                    var target = [
                        MetaLabel.address: port.port.map { joinHostPort(address, String($0)) } ?? address
                    ]
                    if let portName = port.name { target[MetaLabel.endpointSlicePortName] = portName }
                    if let portProtocol = port.protocol { target[MetaLabel.endpointSlicePortProtocol] = portProtocol }
                    if let number = port.port { target[MetaLabel.endpointSlicePort] = String(number) }
                    if let appProtocol = port.appProtocol {
                        target[MetaLabel.endpointSlicePortAppProtocol] = appProtocol
                    }
                    if let ready = endpoint.conditions?.ready {
                        target[MetaLabel.endpointSliceConditionsReady] = String(ready)
                    }
                    if let serving = endpoint.conditions?.serving {
                        target[MetaLabel.endpointSliceConditionsServing] = String(serving)
                    }
                    if let terminating = endpoint.conditions?.terminating {
                        target[MetaLabel.endpointSliceConditionsTerminating] = String(terminating)
                    }
                    if let hostname = endpoint.hostname { target[MetaLabel.endpointSliceEndpointHostname] = hostname }
                    if let reference = endpoint.targetRef {
                        target[MetaLabel.endpointSliceAddressTargetKind] = reference.kind ?? ""
                        target[MetaLabel.endpointSliceAddressTargetName] = reference.name ?? ""
                    }
                    if let nodeName = endpoint.nodeName { target[MetaLabel.endpointSliceEndpointNodeName] = nodeName }
                    if let zone = endpoint.zone { target[MetaLabel.endpointSliceEndpointZone] = zone }
                    let nodeName =
                        endpoint.targetRef?.kind == "Node" ? endpoint.targetRef?.name ?? "" : endpoint.nodeName
                    target = target.overlaid(with: nodeMetadataLabels(name: nodeName, lookup: node))

                    guard let backingPod = resolvePod(endpoint.targetRef, lookup: pod) else {
                        group.targets.append(target)
                        continue
                    }
                    seenPods.record(backingPod, port: port.port)
                    target = target.overlaid(with: podLabels(backingPod))
                    if let number = port.port, let match = containerPort(in: backingPod, matching: number) {
                        target[MetaLabel.podContainerName] = match.container.name
                        target[MetaLabel.podContainerImage] = match.container.image ?? ""
                        target[MetaLabel.podContainerPortName] = match.port.name ?? ""
                        target[MetaLabel.podContainerPortNumber] = String(number)
                        target[MetaLabel.podContainerPortProtocol] = match.port.protocol ?? ""
                        target[MetaLabel.podContainerInit] = String(match.isInit)
                    }
                    group.targets.append(target)
                }
            }
        }
        group.targets += seenPods.uncoveredContainerPortTargets()
        return group
    }
}
