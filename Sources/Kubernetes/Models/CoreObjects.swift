// Typed models of the core/v1, discovery.k8s.io/v1, coordination.k8s.io/v1 and autoscaling/v1 objects promwatch
// reads or writes: only the fields it uses (others are dropped on decode, so these are not for read-modify-write
// of whole objects; update those with patches or as `UnstructuredObject`). `apiVersion` and `kind` are optional
// because list items come without them.

public struct Pod: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta, spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct PodSpec: Codable, Sendable, Hashable {
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var serviceAccountName: String?
    public var containers: [Container]
    public var initContainers: [Container]?

    public init(nodeName: String? = nil, containers: [Container], initContainers: [Container]? = nil) {
        self.nodeName = nodeName
        self.containers = containers
        self.initContainers = initContainers
    }
}

public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var ports: [ContainerPort]?

    public init(name: String, image: String? = nil, ports: [ContainerPort]? = nil) {
        self.name = name
        self.image = image
        self.ports = ports
    }
}

public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: String?

    public init(name: String? = nil, containerPort: Int, protocol: String? = "TCP") {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

public struct PodStatus: Codable, Sendable, Hashable {
    public var phase: String?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var hostIP: String?
    public var conditions: [Condition]?
    public var containerStatuses: [ContainerStatus]?
    public var initContainerStatuses: [ContainerStatus]?

    public init(phase: String? = nil, podIP: String? = nil, hostIP: String? = nil, conditions: [Condition]? = nil, containerStatuses: [ContainerStatus]? = nil) {
        self.phase = phase
        self.podIP = podIP
        self.hostIP = hostIP
        self.conditions = conditions
        self.containerStatuses = containerStatuses
    }

    /// The `Ready` condition's status is `True`.
    public var isReady: Bool { conditions?.first { $0.type == "Ready" }?.status == "True" }
}

public struct PodIP: Codable, Sendable, Hashable {
    public var ip: String
}

/// A status condition (`type`, `status` "True"/"False"/"Unknown"), as pods, nodes and promwatch's resources use.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?
    public var observedGeneration: Int64?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: String? = nil, observedGeneration: Int64? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.observedGeneration = observedGeneration
    }
}

public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var containerID: String?
    public var image: String?
    public var ready: Bool?

    public init(name: String, containerID: String? = nil, image: String? = nil, ready: Bool? = nil) {
        self.name = name
        self.containerID = containerID
        self.image = image
        self.ready = ready
    }
}

public struct Service: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public var apiVersion: String? = "v1"
    public var kind: String? = "Service"
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?

    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil, status: ServiceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ServiceSpec: Codable, Sendable, Hashable {
    public var type: String?
    public var clusterIP: String?
    public var externalName: String?
    public var externalIPs: [String]?
    public var loadBalancerIP: String?
    public var selector: [String: String]?
    public var ports: [ServicePort]?

    public init(type: String? = "ClusterIP", clusterIP: String? = nil, externalName: String? = nil, externalIPs: [String]? = nil, loadBalancerIP: String? = nil, selector: [String: String]? = nil, ports: [ServicePort]? = nil) {
        self.loadBalancerIP = loadBalancerIP
        self.type = type
        self.clusterIP = clusterIP
        self.externalName = externalName
        self.externalIPs = externalIPs
        self.selector = selector
        self.ports = ports
    }
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?
    public var appProtocol: String?

    public init(name: String? = nil, protocol: String? = "TCP", port: Int, targetPort: IntOrString? = nil, nodePort: Int? = nil, appProtocol: String? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
        self.appProtocol = appProtocol
    }
}

public struct ServiceStatus: Codable, Sendable, Hashable {
    public var loadBalancer: LoadBalancerStatus?

    public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
}

public struct LoadBalancerStatus: Codable, Sendable, Hashable {
    public var ingress: [LoadBalancerIngress]?

    public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
}

public struct LoadBalancerIngress: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostname: String?

    public init(ip: String? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }
}

public struct Endpoints: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "", version: "v1", plural: "endpoints", kind: "Endpoints", namespaced: true)
    public var apiVersion: String? = "v1"
    public var kind: String? = "Endpoints"
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta, subsets: [EndpointSubset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }
}

public struct EndpointSubset: Codable, Sendable, Hashable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?

    public init(addresses: [EndpointAddress]? = nil, notReadyAddresses: [EndpointAddress]? = nil, ports: [EndpointPort]? = nil) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

public struct EndpointAddress: Codable, Sendable, Hashable {
    public var ip: String
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?

    public init(ip: String, hostname: String? = nil, nodeName: String? = nil, targetRef: ObjectReference? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// A port of `Endpoints` or of an `EndpointSlice` (the same fields; `port` optional in slices).
public struct EndpointPort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int?
    public var `protocol`: String?
    public var appProtocol: String?

    public init(name: String? = nil, port: Int?, protocol: String? = "TCP", appProtocol: String? = nil) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
        self.appProtocol = appProtocol
    }
}

public struct EndpointSlice: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "discovery.k8s.io", version: "v1", plural: "endpointslices", kind: "EndpointSlice", namespaced: true)
    public var apiVersion: String? = "discovery.k8s.io/v1"
    public var kind: String? = "EndpointSlice"
    public var metadata: ObjectMeta
    public var addressType: String
    public var endpoints: [SliceEndpoint]?
    public var ports: [EndpointPort]?

    public init(metadata: ObjectMeta, addressType: String = "IPv4", endpoints: [SliceEndpoint]? = nil, ports: [EndpointPort]? = nil) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }
}

public struct SliceEndpoint: Codable, Sendable, Hashable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var nodeName: String?
    public var zone: String?
    public var targetRef: ObjectReference?

    public init(addresses: [String], conditions: EndpointConditions? = nil, hostname: String? = nil, nodeName: String? = nil, zone: String? = nil, targetRef: ObjectReference? = nil) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.nodeName = nodeName
        self.zone = zone
        self.targetRef = targetRef
    }
}

public struct EndpointConditions: Codable, Sendable, Hashable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

public struct Node: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)
    public var apiVersion: String? = "v1"
    public var kind: String? = "Node"
    public var metadata: ObjectMeta
    public var spec: NodeSpec?
    public var status: NodeStatus?

    public init(metadata: ObjectMeta, spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct NodeSpec: Codable, Sendable, Hashable {
    public var providerID: String?
    public var unschedulable: Bool?

    public init(providerID: String? = nil, unschedulable: Bool? = nil) {
        self.providerID = providerID
        self.unschedulable = unschedulable
    }
}

public struct NodeStatus: Codable, Sendable, Hashable {
    public var addresses: [NodeAddress]?
    public var daemonEndpoints: NodeDaemonEndpoints?
    public var conditions: [Condition]?

    public init(addresses: [NodeAddress]? = nil, daemonEndpoints: NodeDaemonEndpoints? = nil, conditions: [Condition]? = nil) {
        self.addresses = addresses
        self.daemonEndpoints = daemonEndpoints
        self.conditions = conditions
    }
}

public struct NodeAddress: Codable, Sendable, Hashable {
    public var type: String
    public var address: String

    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

public struct NodeDaemonEndpoints: Codable, Sendable, Hashable {
    public var kubeletEndpoint: DaemonEndpoint?

    public init(kubeletEndpoint: DaemonEndpoint? = nil) { self.kubeletEndpoint = kubeletEndpoint }
}

public struct DaemonEndpoint: Codable, Sendable, Hashable {
    public var port: Int

    public init(port: Int) { self.port = port }

    enum CodingKeys: String, CodingKey { case port = "Port" }
}

public struct ConfigMap: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var binaryData: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

/// core/v1 `Event`, as controllers record them (`kubectl describe` shows them).
public struct Event: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public var apiVersion: String? = "v1"
    public var kind: String? = "Event"
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var source: EventSource?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var count: Int?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String?, message: String?, type: String?) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
    }
}

public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}

/// coordination.k8s.io/v1 `Lease`, the lock of leader election.
public struct Lease: KubernetesObject, Hashable {
    public static let resourceType = ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public var apiVersion: String? = "coordination.k8s.io/v1"
    public var kind: String? = "Lease"
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?

    public init(metadata: ObjectMeta, spec: LeaseSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct LeaseSpec: Codable, Sendable, Hashable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    /// RFC 3339 with microseconds (`MicroTime`).
    public var acquireTime: String?
    public var renewTime: String?
    public var leaseTransitions: Int?

    public init(holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: String? = nil, renewTime: String? = nil, leaseTransitions: Int? = nil) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}

/// autoscaling/v1 `Scale`: what the `scale` subresource of Deployments, StatefulSets and custom resources reads
/// and writes.
public struct Scale: Codable, Sendable, Hashable {
    public var apiVersion: String? = "autoscaling/v1"
    public var kind: String? = "Scale"
    public var metadata: ObjectMeta
    public var spec: ScaleSpec
    public var status: ScaleStatus?

    public init(metadata: ObjectMeta, spec: ScaleSpec, status: ScaleStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ScaleSpec: Codable, Sendable, Hashable {
    public var replicas: Int?

    public init(replicas: Int?) { self.replicas = replicas }
}

public struct ScaleStatus: Codable, Sendable, Hashable {
    public var replicas: Int
    /// The label selector of the scaled pods, in string form.
    public var selector: String?

    public init(replicas: Int, selector: String? = nil) {
        self.replicas = replicas
        self.selector = selector
    }
}
