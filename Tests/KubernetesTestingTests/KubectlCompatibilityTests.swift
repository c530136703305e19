import Foundation
import JSON
import KubernetesTesting
import Testing

/// A real client against the emulator: kubectl (when installed) discovers resources, lists, creates, applies
/// server-side and deletes.
struct KubectlCompatibilityTests {
    static let kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs kubectl without blocking a concurrency thread (the emulator serves on the same pool).
    static func run(_ arguments: [String], kubeconfig: String, stdin: String? = nil) async throws -> (status: Int32, out: String, err: String) {
        // Force-unwrap: the test is disabled when kubectl is missing.
        let executable = kubectl!
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        try Data(kubeconfig.utf8).write(to: config)
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--kubeconfig", config.path, "--cache-dir", directory.appendingPathComponent("cache").path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let input = directory.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: input)
            process.standardInput = try FileHandle(forReadingFrom: input)
        }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (
            status, String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }

    @Test(.enabled(if: kubectl != nil, "kubectl is not installed; skipping"))
    func kubectlRoundTrip() async throws {
        // No token: client-go sends bearer tokens only over HTTPS.
        try await withEmulator { emulator, _ in
            let config = emulator.kubeconfig()
            // `-f` goes through kubectl's unstructured (JSON) client; typed commands like `create configmap` send
            // protobuf, which the emulator does not speak.
            let created = try await Self.run(
                ["create", "--validate=false", "-f", "-"], kubeconfig: config,
                stdin: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"via-kubectl"},"data":{"a":"b"}}"#)
            #expect(created.status == 0, "\(created.err)")
            #expect(emulator.get(.configMaps, namespace: "default", name: "via-kubectl")?[path: ["data", "a"]] == "b")

            let listed = try await Self.run(["get", "configmaps", "-o", "json"], kubeconfig: config)
            #expect(listed.status == 0, "\(listed.err)")
            let list = try JSONValue(parsing: listed.out)
            #expect(list["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["via-kubectl"])

            let manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: c
                        image: nginx
                """
            let applied = try await Self.run(["apply", "--server-side", "--validate=false", "-f", "-"], kubeconfig: config, stdin: manifest)
            #expect(applied.status == 0, "\(applied.err)")
            let deployment = emulator.get(.deployments, namespace: "default", name: "web")
            #expect(deployment?[path: ["spec", "replicas"]] == 2)
            #expect(deployment?[path: ["metadata", "managedFields"]]?[0]?["manager"] == "kubectl")

            let scaled = try await Self.run(["scale", "deployment/web", "--replicas=4"], kubeconfig: config)
            #expect(scaled.status == 0, "\(scaled.err)")
            #expect(emulator.get(.deployments, namespace: "default", name: "web")?[path: ["spec", "replicas"]] == 4)

            let deleted = try await Self.run(["delete", "configmap", "via-kubectl"], kubeconfig: config)
            #expect(deleted.status == 0, "\(deleted.err)")
            #expect(emulator.get(.configMaps, namespace: "default", name: "via-kubectl") == nil)
        }
    }
}
