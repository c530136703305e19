import Foundation
import PromwatchTestSupport
import Testing
import Yams

/// `deploy/cloudformation/agent-iam-role.yaml`: the agent's IRSA role allows exactly the CloudWatch Logs calls the code
/// makes, only on its log group, and only for the ServiceAccount that `deploy/kubernetes/agent-daemonset.yaml` runs as.
struct AgentIAMRoleTemplateTests {
    static let exampleIssuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func template() throws -> [String: Any] {
        try #require(try Yams.load(yaml: text("deploy/cloudformation/agent-iam-role.yaml")) as? [String: Any])
    }

    static func role() throws -> [String: Any] {
        let resources = try #require(try template()["Resources"] as? [String: Any])
        let role = try #require(resources["AgentRole"] as? [String: Any])
        #expect(role["Type"] as? String == "AWS::IAM::Role")
        return try #require(role["Properties"] as? [String: Any])
    }

    static func statements() throws -> [[String: Any]] {
        let policies = try #require(try role()["Policies"] as? [[String: Any]])
        return policies.flatMap { (($0["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]]) ?? [] }
    }

    /// The CloudWatch Logs operations promwatch calls: each `CloudWatchLogsClient` method that some file in `Sources/`
    /// outside `AWSClients` invokes, named by the operation its body sends (`call("CreateLogStream", …)`,
    /// `operation: "PutLogEvents"`). A method the code starts calling shows up here without touching this test.
    static func operationsTheCodeCalls() throws -> Set<String> {
        let client = try text("Sources/AWSClients/CloudWatchLogsClient.swift")
        let functions = try matches(of: #"func (\w+)\("#, in: client)
        var operationByMethod: [String: String] = [:]
        for (index, function) in functions.enumerated() {
            let end = index + 1 < functions.count ? functions[index + 1].range.lowerBound : client.endIndex
            let body = client[function.range.upperBound..<end]
            if let operation = try matches(of: #"(?:call\(\s*|operation: )"([A-Z]\w+)""#, in: String(body)).first {
                operationByMethod[function.captures[0]] = operation.captures[0]
            }
        }
        #expect(operationByMethod.count >= 4, "found \(operationByMethod) in CloudWatchLogsClient.swift")

        let sources = TestPaths.repositoryRoot.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var called: Set<String> = []
        for case let url as URL in files where url.pathExtension == "swift" && !url.path.contains("/Sources/AWSClients/") {
            let source = try String(contentsOf: url, encoding: .utf8)
            for (method, operation) in operationByMethod where source.contains(".\(method)(") {
                called.insert(operation)
            }
        }
        return called
    }

    static func matches(of pattern: String, in text: String) throws -> [(range: Range<String.Index>, captures: [String])] {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let range = Range(match.range, in: text) else { return nil }
            let captures = (1..<match.numberOfRanges).map { i in Range(match.range(at: i), in: text).map { String(text[$0]) } ?? "" }
            return (range, captures)
        }
    }

    // MARK: A small evaluator for the intrinsics the template uses (Ref, Fn::Sub, Fn::If, Fn::Equals)

    struct Stack {
        var parameters: [String: String]
        let conditions: [String: Any]

        init(overrides: [String: String] = [:]) throws {
            let template = try AgentIAMRoleTemplateTests.template()
            var parameters = [
                "AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012",
                "OIDCProviderHost": AgentIAMRoleTemplateTests.exampleIssuer, "ClusterName": "my-cluster",
            ]
            for (name, definition) in template["Parameters"] as? [String: Any] ?? [:] {
                if let value = (definition as? [String: Any])?["Default"] { parameters[name] = "\(value)" }
            }
            parameters.merge(overrides) { $1 }
            self.parameters = parameters
            conditions = template["Conditions"] as? [String: Any] ?? [:]
        }

        func resolve(_ node: Any) throws -> Any {
            if let text = node as? String { return text }
            if let list = node as? [Any] { return try list.map(resolve) }
            let object = try #require(node as? [String: Any])
            if object.count == 1, let name = object["Ref"] as? String {
                return try #require(parameters[name], "unknown parameter \(name)")
            }
            if let sub = object["Fn::Sub"] {
                if let text = sub as? String { return try substitute(text, [:]) }
                let arguments = try #require(sub as? [Any])
                let variables = try (arguments[1] as? [String: Any] ?? [:]).mapValues { try #require(try resolve($0) as? String) }
                return try substitute(try #require(arguments[0] as? String), variables)
            }
            if let arguments = object["Fn::If"] as? [Any] {
                return try resolve(try isTrue(try #require(arguments[0] as? String)) ? arguments[1] : arguments[2])
            }
            return try object.mapValues(resolve)
        }

        func isTrue(_ condition: String) throws -> Bool {
            let definition = try #require(conditions[condition] as? [String: Any], "unknown condition \(condition)")
            let operands = try #require(definition["Fn::Equals"] as? [Any])
            return try resolve(operands[0]) as? String == resolve(operands[1]) as? String
        }

        func substitute(_ text: String, _ variables: [String: String]) throws -> String {
            var result = ""
            var rest = Substring(text)
            while let open = rest.range(of: "${") {
                result += rest[..<open.lowerBound]
                let close = try #require(rest[open.upperBound...].firstIndex(of: "}"))
                let name = String(rest[open.upperBound..<close])
                result += try #require(variables[name] ?? parameters[name], "unknown variable \(name)")
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        }
    }

    // MARK: Tests

    @Test func thePolicyAllowsExactlyTheCloudWatchLogsCallsTheCodeMakes() throws {
        let used = try Self.operationsTheCodeCalls()
        #expect(used.contains("PutLogEvents"))
        var allowed: Set<String> = []
        for statement in try Self.statements() {
            #expect(statement["Effect"] as? String == "Allow")
            let actions = statement["Action"] as? [String] ?? [(statement["Action"] as? String) ?? "?"]
            for action in actions {
                #expect(action.hasPrefix("logs:"), "\(action) is not a CloudWatch Logs action")
                allowed.insert(String(action.dropFirst("logs:".count)))
            }
        }
        #expect(allowed == used, "template allows \(allowed.sorted()), the code calls \(used.sorted())")
    }

    @Test func everyResourceIsTheLogGroupOrItsStreams() throws {
        let stack = try Stack()
        let group = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/containerinsights/my-cluster/prometheus"
        var resources: [String] = []
        for statement in try Self.statements() {
            let resolved = try stack.resolve(try #require(statement["Resource"]))
            if let list = resolved as? [String] {
                resources += list
            } else {
                resources.append(try #require(resolved as? String))
            }
        }
        #expect(Set(resources) == [group, group + ":*", group + ":log-stream:*"])
        #expect(!resources.contains { $0 == "*" || $0.hasPrefix("*") || $0.contains(":*:") })

        // The default group is config/kubernetes-pods.yaml's log_group_name for the stack's ClusterName.
        let podsConfig = try Self.text("config/kubernetes-pods.yaml")
        let configured = try #require(try Self.matches(of: #"(?m)^\s+log_group_name:\s*(\S+)"#, in: podsConfig).first?.captures[0])
        #expect(group.hasSuffix(":log-group:" + configured.replacingOccurrences(of: "{ClusterName}", with: "my-cluster")))

        let overridden = try Stack(overrides: ["LogGroupName": "/promwatch/my-cluster/*"])
        let first = try #require(try Self.statements().first?["Resource"])
        #expect(try overridden.resolve(first) as? [String] == [
            "arn:aws:logs:eu-west-1:123456789012:log-group:/promwatch/my-cluster/*",
            "arn:aws:logs:eu-west-1:123456789012:log-group:/promwatch/my-cluster/*:*",
        ])
    }

    @Test func onlyTheManifestsServiceAccountCanAssumeTheRole() throws {
        let stack = try Stack()
        let trustTemplate = try #require(try Self.role()["AssumeRolePolicyDocument"])
        let trustText = try #require(try stack.resolve(trustTemplate) as? String)
        let trust = try #require(try JSONSerialization.jsonObject(with: Data(trustText.utf8)) as? [String: Any])
        let statements = try #require(trust["Statement"] as? [[String: Any]])
        #expect(statements.count == 1)
        let statement = statements[0]
        #expect(statement["Effect"] as? String == "Allow")
        #expect(statement["Action"] as? String == "sts:AssumeRoleWithWebIdentity")
        #expect(
            (statement["Principal"] as? [String: Any])?["Federated"] as? String
                == "arn:aws:iam::123456789012:oidc-provider/\(Self.exampleIssuer)")
        let conditions = try #require(statement["Condition"] as? [String: Any])
        #expect(Array(conditions.keys) == ["StringEquals"])
        let equals = try #require(conditions["StringEquals"] as? [String: String])

        let serviceAccount = try DaemonSetManifestTests.document(kind: "ServiceAccount")
        let metadata = try #require(serviceAccount["metadata"] as? [String: Any])
        let namespace = try #require(metadata["namespace"] as? String)
        let name = try #require(metadata["name"] as? String)
        #expect(stack.parameters["Namespace"] == namespace)
        #expect(stack.parameters["ServiceAccountName"] == name)
        #expect(
            equals == [
                "\(Self.exampleIssuer):sub": "system:serviceaccount:\(namespace):\(name)",
                "\(Self.exampleIssuer):aud": "sts.amazonaws.com",
            ])
        // The DaemonSet runs as that ServiceAccount, in that namespace.
        let daemonSet = try DaemonSetManifestTests.document(kind: "DaemonSet")
        #expect((daemonSet["metadata"] as? [String: Any])?["namespace"] as? String == namespace)
        let podSpec = ((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        #expect(podSpec?["serviceAccountName"] as? String == name)
    }

    @Test func theServiceAccountAnnotationNamesTheStacksRole() throws {
        let serviceAccount = try DaemonSetManifestTests.document(kind: "ServiceAccount")
        let annotations = try #require((serviceAccount["metadata"] as? [String: Any])?["annotations"] as? [String: Any])
        let roleARN = try #require(annotations["eks.amazonaws.com/role-arn"] as? String)
        // The manifest holds a placeholder (`<arn:aws:iam::ACCOUNT:role/NAME>`) for the stack's RoleArn output.
        let roleName = try #require(try Stack().parameters["RoleName"])
        #expect(roleARN.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).hasSuffix(":role/\(roleName)"))
        let outputs = try #require(try Self.template()["Outputs"] as? [String: Any])
        let value = try #require((outputs["RoleArn"] as? [String: Any])?["Value"] as? [String: Any])
        #expect(value["Fn::GetAtt"] as? [String] == ["AgentRole", "Arn"])
    }
}
