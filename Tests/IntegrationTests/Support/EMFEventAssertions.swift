import Foundation
import Testing

/// One EMF event decoded for assertions.
struct DecodedEvent {
    let object: [String: Any]

    init(_ bytes: some Collection<UInt8>) throws {
        let value = try JSONSerialization.jsonObject(with: Data(bytes))
        guard let object = value as? [String: Any] else {
            throw DecodeError("EMF event is not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
        }
        self.object = object
    }

    struct DecodeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    var aws: [String: Any] { object["_aws"] as? [String: Any] ?? [:] }
    var timestamp: Int64? { (aws["Timestamp"] as? NSNumber)?.int64Value }
    var directives: [[String: Any]] { aws["CloudWatchMetrics"] as? [[String: Any]] ?? [] }

    /// Names of the metrics the directives declare.
    var metricNames: [String] {
        directives.flatMap { ($0["Metrics"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String } }
    }

    /// Every dimension set of every directive.
    var dimensionSets: [[String]] { directives.flatMap { $0["Dimensions"] as? [[String]] ?? [] } }

    func string(_ key: String) -> String? { object[key] as? String }

    func number(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }

    /// Keys that hold numbers or numeric aggregates (metric values), as opposed to label strings.
    var valueKeys: [String] {
        object.keys.filter { key in key != "_aws" && !(object[key] is String) }
    }

    /// Checks the structural EMF rules every event must follow.
    func checkStructure() {
        #expect(timestamp != nil, "integer _aws.Timestamp")
        #expect(!directives.isEmpty, "at least one directive")
        for directive in directives {
            #expect((directive["Namespace"] as? String)?.isEmpty == false)
            let metrics = directive["Metrics"] as? [[String: Any]] ?? []
            #expect(metrics.count <= 100)
            for set in directive["Dimensions"] as? [[String]] ?? [] {
                #expect(set.count <= 30)
                for key in set { #expect(string(key) != nil, "dimension \(key) is a string field") }
            }
        }
        for name in metricNames {
            #expect(object[name] != nil, "metric \(name) has a value")
        }
    }
}
