import Foundation
import JSON
import Kubernetes
import KubernetesTesting
import Logging

/// Where a Kubernetes integration test runs: the in-process API emulator (default), or the real cluster of the
/// kubeconfig named by `PROMWATCH_E2E_KUBECONFIG` (`make test-e2e`), in a fresh namespace deleted afterwards.
struct TestCluster: Sendable {
    let configuration: KubernetesConfiguration
    let client: KubernetesClient
    /// A namespace of the test's own.
    let namespace: String
    /// The emulator, or nil on a real cluster (tests that inject faults or compact history need it).
    let emulator: KubernetesAPIEmulator?

    static let logger = Logger(label: "kubernetes-tests")

    /// The kubeconfig of a real cluster to run against, if any.
    static var e2eKubeconfig: String? {
        ProcessInfo.processInfo.environment["PROMWATCH_E2E_KUBECONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static let namespaceType = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)

    /// Runs `body` against the emulator or the real cluster.
    static func run<T: Sendable>(
        emulatorConfiguration: KubernetesAPIEmulator.Configuration = .init(bookmarkInterval: .milliseconds(200)),
        credentials: KubernetesCredentials = .none,
        _ body: (TestCluster) async throws -> T
    ) async throws -> T {
        let namespace = "promwatch-test-\(UInt32.random(in: 0...UInt32.max))"
        if let path = e2eKubeconfig {
            let configuration = try KubernetesConfiguration.fromKubeconfig(path: path)
            let client = try KubernetesClient(configuration: configuration, logger: logger)
            _ = try await client.create(
                namespaceType, UnstructuredObject(json: ["apiVersion": .string("v1"), "kind": .string("Namespace"), "metadata": .object(["name": .string(namespace)])]),
                namespace: nil)
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(TestCluster(configuration: configuration, client: client, namespace: namespace, emulator: nil)))
            } catch {
                outcome = .failure(error)
            }
            try? await client.delete(namespaceType, name: namespace, namespace: nil)
            return try outcome.get()
        }
        var emulatorConfiguration = emulatorConfiguration
        emulatorConfiguration.initialNamespaces.append(namespace)
        return try await KubernetesAPIEmulator.withEmulator(configuration: emulatorConfiguration) { emulator in
            let configuration = KubernetesConfiguration(server: emulator.baseURL, credentials: credentials, requestTimeout: .seconds(60))
            let client = try KubernetesClient(configuration: configuration, logger: logger)
            return try await body(TestCluster(configuration: configuration, client: client, namespace: namespace, emulator: emulator))
        }
    }

    /// Waits until `condition` holds (checked every 20 ms), or fails after `timeout`.
    static func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimedOut(what: what)
    }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }
}

/// A ConfigMap with `data`.
func configMap(_ name: String, namespace: String, data: [String: String] = [:], finalizers: [String]? = nil) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, finalizers: finalizers), data: data)
}
