public import AWSCore

/// An SNS message attribute (`DataType` `String`, `Number`, `String.Array`).
public struct SNSMessageAttribute: Sendable, Hashable {
    public var dataType: String
    public var stringValue: String
    public init(dataType: String = "String", stringValue: String) {
        self.dataType = dataType
        self.stringValue = stringValue
    }
}

/// SNS over the query protocol (`Version=2010-03-31`), signing name `sns`.
public struct SNSClient: Sendable {
    public let client: AWSServiceClient
    public static let version = "2010-03-31"

    public init(configuration: AWSClientConfiguration) throws(AWSError) {
        client = try AWSServiceClient(service: .sns, configuration: configuration)
    }

    public init(client: AWSServiceClient) { self.client = client }

    /// `Publish` to a topic.
    /// - Returns: the message ID.
    @discardableResult
    public func publish(
        topicARN: String, message: String, subject: String? = nil, attributes: [String: SNSMessageAttribute] = [:]
    ) async throws(AWSError) -> String {
        var p = AWSQueryParameters(action: "Publish", version: Self.version)
        p.add("TopicArn", topicARN)
        p.add("Message", message)
        p.add("Subject", subject)
        for (i, (name, attribute)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            let prefix = "MessageAttributes.entry.\(i + 1)"
            p.add("\(prefix).Name", name)
            p.add("\(prefix).Value.DataType", attribute.dataType)
            p.add("\(prefix).Value.StringValue", attribute.stringValue)
        }
        let xml = try await client.query(p)
        guard let id = xml.first(named: "PublishResult")?.string("MessageId") else {
            throw AWSError(.invalidResponse, "Publish: no MessageId in the response")
        }
        return id
    }

    /// `CreateTopic` (idempotent).
    /// - Returns: the topic ARN.
    public func createTopic(name: String) async throws(AWSError) -> String {
        var p = AWSQueryParameters(action: "CreateTopic", version: Self.version)
        p.add("Name", name)
        let xml = try await client.query(p)
        guard let arn = xml.first(named: "CreateTopicResult")?.string("TopicArn") else {
            throw AWSError(.invalidResponse, "CreateTopic: no TopicArn in the response")
        }
        return arn
    }

    /// `Subscribe` an endpoint (`http`, `https`, `email`, `sqs`, `lambda`, …).
    /// - Returns: the subscription ARN (or `pending confirmation`).
    @discardableResult
    public func subscribe(topicARN: String, protocol proto: String, endpoint: String) async throws(AWSError) -> String {
        var p = AWSQueryParameters(action: "Subscribe", version: Self.version)
        p.add("TopicArn", topicARN)
        p.add("Protocol", proto)
        p.add("Endpoint", endpoint)
        let xml = try await client.query(p)
        return xml.first(named: "SubscribeResult")?.string("SubscriptionArn") ?? ""
    }
}
