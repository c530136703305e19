extension LogEventBatch {
    /// The PutLogEvents request body (awsJson1.1, reference §2.2) for this batch:
    /// `{"logGroupName":…,"logStreamName":…,"logEvents":[{"timestamp":…,"message":"…"},…]}`.
    /// No sequence token (the service ignores them, §2.5).
    public func putLogEventsRequestBody() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount + byteCount / 8 + 128)
        Self.appendPutLogEventsRequestBody(
            logGroupName: logGroupName, logStreamName: logStreamName, events: events, to: &out)
        return out
    }

    /// Appends a PutLogEvents request body for `events` (already sorted and within the limits) to `out`.
    /// - Parameters:
    ///   - logGroupName: the log group.
    ///   - logStreamName: the log stream.
    ///   - events: the events, in the order to send; their group and stream names are not read.
    ///   - out: where the JSON goes.
    public static func appendPutLogEventsRequestBody(
        logGroupName: String, logStreamName: String, events: some Collection<EMFLogEvent>, to out: inout [UInt8]
    ) {
        JSONWriter.appendLiteral("{\"logGroupName\":", to: &out)
        JSONWriter.appendString(logGroupName, to: &out)
        JSONWriter.appendLiteral(",\"logStreamName\":", to: &out)
        JSONWriter.appendString(logStreamName, to: &out)
        JSONWriter.appendLiteral(",\"logEvents\":[", to: &out)
        var first = true
        for event in events {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.appendLiteral("{\"timestamp\":", to: &out)
            JSONWriter.appendInteger(event.timestampMilliseconds, to: &out)
            JSONWriter.appendLiteral(",\"message\":", to: &out)
            event.message.withUnsafeBytes { JSONWriter.appendString($0, to: &out) }
            out.append(UInt8(ascii: "}"))
        }
        JSONWriter.appendLiteral("]}", to: &out)
    }
}
