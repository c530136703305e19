import Foundation

/// A throwaway CA and a server certificate for `127.0.0.1`/`localhost`, made with the `openssl` command-line tool
/// (so tests need no certificate code of their own).
public struct TestCertificateAuthority: Sendable {
    /// Why certificates could not be made.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The CA certificate (PEM) clients should trust.
    public var caCertificatePEM: String
    /// The server certificate (PEM), signed by the CA, with SANs `IP:127.0.0.1` and `DNS:localhost`.
    public var serverCertificatePEM: String
    /// The server's private key (PEM).
    public var serverPrivateKeyPEM: String

    /// The identity to put in ``KubernetesAPIEmulator/Configuration/tls``.
    public var serverIdentity: KubernetesAPIEmulator.TLSIdentity {
        .init(
            certificateChainPEM: serverCertificatePEM, privateKeyPEM: serverPrivateKeyPEM,
            caCertificatePEM: caCertificatePEM)
    }

    /// The path of an `openssl` executable, or `nil` when none is installed.
    public static var opensslPath: String? {
        ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Generates a fresh CA (EC P-256) and a server certificate signed by it.
    /// - Throws: ``Failure`` when `openssl` is missing or fails.
    public static func generate() throws -> TestCertificateAuthority {
        guard let openssl = opensslPath else { throw Failure(description: "openssl is not installed") }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("k8s-emulator-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: URL(fileURLWithPath: path("server.ext")))
        let steps: [[String]] = [
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("ca.key")],
            ["req", "-x509", "-new", "-key", path("ca.key"), "-sha256", "-days", "2", "-subj", "/CN=emulator-test-ca",
             "-out", path("ca.crt")],
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("server.key.ec")],
            ["pkcs8", "-topk8", "-nocrypt", "-in", path("server.key.ec"), "-out", path("server.key")],
            ["req", "-new", "-key", path("server.key"), "-subj", "/CN=127.0.0.1", "-out", path("server.csr")],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
             "-CAcreateserial", "-days", "2", "-sha256", "-extfile", path("server.ext"), "-out", path("server.crt")],
        ]
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw Failure(description: "openssl \(arguments.first ?? "") failed: \(message)")
            }
        }
        func read(_ name: String) throws -> String {
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: path(name))), as: UTF8.self)
        }
        return TestCertificateAuthority(
            caCertificatePEM: try read("ca.crt"), serverCertificatePEM: try read("server.crt"),
            serverPrivateKeyPEM: try read("server.key"))
    }
}
