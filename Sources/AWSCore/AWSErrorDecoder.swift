import JSON

/// Turns a non-2xx response into an ``AWSError``, whatever the protocol: JSON (`__type`, `message`/`Message`),
/// query XML (`<ErrorResponse><Error><Code>…<Message>…`), or anything else (HTML from an emulator, a proxy page).
/// The response `Content-Type` is never trusted; the body is sniffed.
public enum AWSErrorDecoder {
    public static func decode(_ response: AWSHTTPResponse) -> AWSError {
        var serviceCode: String?
        var message: String?
        var requestID =
            response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        let serverDate = response.header("Date").flatMap(AWSTimestamp.parseHTTPDate)
        let body = response.body
        let firstByte = body.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        if firstByte == UInt8(ascii: "{"), let json = try? JSONValue(parsing: body) {
            if let type = json["__type"]?.stringValue ?? json["code"]?.stringValue ?? json["Code"]?.stringValue {
                serviceCode = normalizeCode(type)
            }
            message = json["message"]?.stringValue ?? json["Message"]?.stringValue ?? json["errorMessage"]?.stringValue
        } else if firstByte == UInt8(ascii: "<"), let xml = try? AWSXML.parse(body),
            let error = xml.first(named: "Error")
        {
            serviceCode = error.string("Code")
            message = error.string("Message")
            requestID = requestID ?? xml.first(named: "RequestId")?.text ?? xml.first(named: "RequestID")?.text
        }
        // Query-compatible JSON services send the query error code here ("ResourceNotFound;Sender").
        if let queryError = response.header("x-amzn-query-error"), let code = queryError.split(separator: ";").first,
            !code.isEmpty, serviceCode == nil
        {
            serviceCode = String(code)
        }
        if serviceCode == nil, let type = response.header("x-amzn-ErrorType") { serviceCode = normalizeCode(type) }
        if message == nil {
            message = body.isEmpty ? "empty response body" : snippet(body)
        }
        return AWSError(
            .service, message ?? "", serviceCode: serviceCode, status: response.status, requestID: requestID,
            serverDateSeconds: serverDate)
    }

    /// `com.amazon.coral.service#ExpiredTokenException` → `ExpiredTokenException`; `Code:http://…` → `Code`.
    static func normalizeCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code)
    }

    /// A short, single-line preview of a non-AWS error body (tags stripped, whitespace collapsed).
    static func snippet(_ body: [UInt8]) -> String {
        var text = ""
        var inTag = false
        for scalar in String(decoding: body.prefix(2048), as: UTF8.self).unicodeScalars {
            if scalar == "<" {
                inTag = true
                text.append(" ")
            } else if scalar == ">" {
                inTag = false
            } else if !inTag {
                text.unicodeScalars.append(scalar.properties.isWhitespace ? " " : scalar)
            }
        }
        let collapsed = text.split(separator: " ").joined(separator: " ")
        return collapsed.count > 200 ? String(collapsed.prefix(200)) + "…" : collapsed
    }
}
