import Foundation
import SigV4

/// botocore as an oracle: signs the same requests with `SigV4Auth` / `SigV4QueryAuth`, clock pinned by patching
/// `botocore.auth.get_current_datetime` (reference: aws-test-stand-ins.md §6.4).
///
/// Needs `python3` with botocore on PATH (CI installs it). Missing either is a test failure with a clear message,
/// never a silent pass.
enum Botocore {
    /// One request to sign, in both worlds.
    struct Case: Codable {
        var name: String
        /// `headers` (SigV4Auth) or `query` (SigV4QueryAuth).
        var mode: String
        var method: String
        var scheme: String
        var host: String
        /// Raw path (not percent-encoded).
        var path: String
        /// Raw query items, in order.
        var query: [[String]]
        var headers: [[String]]
        var body: String
        var service: String
        var region: String
        var accessKey: String
        var secretKey: String
        var token: String?
        var date: Int64
        var expires: Int

        var request: SignableRequest {
            SignableRequest(
                method: method,
                host: host,
                path: path,
                query: query.map { (name: $0[0], value: $0[1]) },
                headers: headers.map { (name: $0[0], value: $0[1]) }
            )
        }

        var signer: AWSSigner {
            AWSSigner(
                credentials: AWSCredentials(accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: token),
                region: region,
                service: service
            )
        }
    }

    /// botocore's answer for one case.
    struct Result: Codable {
        var name: String
        /// Header mode: the headers botocore added (`X-Amz-Date`, `X-Amz-Security-Token`, `Authorization`).
        var headers: [String: String]?
        /// Query mode: the presigned URL.
        var url: String?
        /// botocore's canonical request, for diagnostics.
        var canonicalRequest: String
    }

    static let script = #"""
        import datetime, json, sys
        try:
            import botocore, botocore.auth, botocore.awsrequest, botocore.credentials
            from botocore.utils import percent_encode_sequence
        except ImportError as error:
            sys.stderr.write("python3 cannot import botocore (%s): pip install botocore\n" % error)
            sys.exit(3)
        from urllib.parse import quote

        cases = json.load(open(sys.argv[1]))
        results = []
        for case in cases:
            now = datetime.datetime.fromtimestamp(case["date"], datetime.timezone.utc).replace(tzinfo=None)
            botocore.auth.get_current_datetime = lambda now=now: now
            credentials = botocore.credentials.Credentials(case["accessKey"], case["secretKey"], case.get("token"))
            url = "%s://%s%s" % (case["scheme"], case["host"], quote(case["path"], safe="/~"))
            if case["query"]:
                url += "?" + percent_encode_sequence([(n, v) for n, v in case["query"]])

            def make_request():
                return botocore.awsrequest.AWSRequest(
                    method=case["method"], url=url, data=case["body"].encode("utf-8"),
                    headers={n: v for n, v in case["headers"]})

            if case["mode"] == "headers":
                auth = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
            else:
                auth = botocore.auth.SigV4QueryAuth(credentials, case["service"], case["region"], expires=case["expires"])
            # The canonical request, for messages: the same steps as add_auth up to the signature.
            probe = make_request()
            probe.context["timestamp"] = now.strftime(botocore.auth.SIGV4_TIMESTAMP)
            auth._modify_request_before_signing(probe)
            canonical = auth.canonical_request(probe)

            request = make_request()
            auth.add_auth(request)
            result = {"name": case["name"], "canonicalRequest": canonical}
            if case["mode"] == "headers":
                result["headers"] = {
                    n: v for n, v in request.headers.items()
                    if n.lower() in ("x-amz-date", "x-amz-security-token", "authorization")
                }
            else:
                result["url"] = request.url
            results.append(result)
        json.dump(results, sys.stdout)
        """#

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs botocore over `cases`; results in the same order.
    static func sign(_ cases: [Case]) throws -> [Result] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-sigv4-botocore-\(UUID().uuidString)",
            isDirectory: true
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("sign.py")
        let casesURL = directory.appendingPathComponent("cases.json")
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        try Data(script.utf8).write(to: scriptURL)
        try JSONEncoder().encode(cases).write(to: casesURL)
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        guard let python = locate("python3") else {
            throw Failure(description: "python3 is not on PATH: the botocore cross-check needs python3 with botocore")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, casesURL.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(python) \(scriptURL.lastPathComponent) exited \(process.terminationStatus): \(stderr)"
            )
        }
        let results = try JSONDecoder().decode([Result].self, from: Data(contentsOf: stdoutURL))
        guard results.count == cases.count else {
            throw Failure(description: "botocore returned \(results.count) results for \(cases.count) cases")
        }
        return results
    }

    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
