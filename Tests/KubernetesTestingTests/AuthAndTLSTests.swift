import Foundation
import JSON
import KubernetesTesting
import Testing

/// Bearer-token authentication, token rotation and HTTPS.
struct AuthAndTLSTests {
    @Test func bearerTokensAndRotation() async throws {
        try await withEmulator(.init(bearerTokens: ["old"])) { emulator, client in
            #expect(try await client.get("/api/v1/namespaces").status == 200)
            var anonymous = client
            anonymous.token = nil
            let denied = try await anonymous.get("/api/v1/namespaces")
            #expect(denied.status == 401)
            #expect(denied.body == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401])

            // Rotation with overlap, then the old token stops working.
            emulator.setAcceptedTokens(["old", "new"])
            var rotated = client
            rotated.token = "new"
            #expect(try await rotated.get("/api/v1/namespaces").status == 200)
            emulator.setAcceptedTokens(["new"])
            #expect(try await client.get("/api/v1/namespaces").status == 401)
            #expect(try await rotated.get("/api/v1/namespaces").status == 200)
        }
    }

    @Test(.enabled(if: TestCertificateAuthority.opensslPath != nil, "openssl is not installed; skipping TLS tests"))
    func httpsWithGeneratedCA() async throws {
        let ca = try TestCertificateAuthority.generate()
        try await withEmulator(.init(bearerTokens: ["t"], tls: ca.serverIdentity)) { emulator, client in
            #expect(emulator.baseURL.hasPrefix("https://127.0.0.1:"))
            #expect(try await client.get("/api").status == 200)
            let rv = emulator.resourceVersion
            let result = try await watching(emulator, client, "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(rv)", until: { $0.count == 1 }) {
                try emulator.create(configMap("tls"))
            }
            #expect(result.events.first?.object.name == "tls")
            let kubeconfig = emulator.kubeconfig()
            #expect(kubeconfig.contains("server: \(emulator.baseURL)"))
            #expect(kubeconfig.contains("certificate-authority-data: \(Data(ca.caCertificatePEM.utf8).base64EncodedString())"))
            #expect(kubeconfig.contains("token: t"))
        }
    }
}
