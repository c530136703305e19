import JSON
import Yams

extension JSONValue {
    /// Parses a JSON or YAML document (server-side apply bodies are `application/apply-patch+yaml`, and JSON is
    /// YAML, so JSON is tried first and YAML only if that fails).
    /// - Throws: ``KubernetesStatusError`` (400) when the text is neither.
    static func parseJSONOrYAML(_ bytes: [UInt8]) throws(KubernetesStatusError) -> JSONValue {
        if let json = try? JSONValue(parsing: bytes) { return json }
        let text = String(decoding: bytes, as: UTF8.self)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .badRequest("error decoding YAML: \(error)")
        }
        guard let node else { throw .badRequest("error decoding YAML: empty document") }
        return convert(node)
    }

    private static func convert(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            // Plain scalars resolve by the YAML 1.1 core schema (as sigs.k8s.io/yaml does); quoted ones stay strings.
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map(JSONValue.integer) ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? ""] = convert(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .alias:
            return .null
        }
    }
}
