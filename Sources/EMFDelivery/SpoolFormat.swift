import EMF

/// The on-disk spool format (all integers little-endian).
///
/// Segment file `segment-<20-digit number>.pws`:
/// ```
/// header   "PWSPOOL1" (8 bytes) | segment number u64
/// record*  payload length u32 | CRC-32C of the payload u32 | payload
/// payload  timestamp ms i64 | group length u16 | group UTF-8 | stream length u16 | stream UTF-8 | message (the rest)
/// ```
/// The group length's top bit (names are far shorter) marks a message stored as JSON string content
/// (``EMFMessageEncoding/jsonStringContent``); without it the message is the document.
/// A record is valid when its length is within bounds, the whole payload is in the file and the CRC matches. The
/// first invalid record ends a segment: everything after it (a torn write after a crash) is skipped and counted.
///
/// Acknowledgment file `ack` (replaced atomically: written to `ack.tmp`, fsynced, renamed, directory fsynced):
/// ```
/// "PWACK001" | cursor segment u64 | cursor offset u64 | range count u32 | (start u64, end u64)* | CRC-32C u32
/// ```
/// Every record before the cursor, and every record whose bytes lie inside one of the ranges (all in the cursor's
/// segment, beyond the cursor), has been delivered or deliberately dropped and must never be sent again.
enum SpoolFormat {
    static let segmentMagic: [UInt8] = Array("PWSPOOL1".utf8)
    static let ackMagic: [UInt8] = Array("PWACK001".utf8)
    static let segmentHeaderSize = 16
    static let recordHeaderSize = 8
    /// Larger "lengths" are corruption: a message is at most 1 MiB, names 512 characters.
    static let maximumPayloadSize = 1_048_576 + 12 + 2 * 4096
    /// The group length's top bit: the message is JSON string content.
    static let escapedMessageFlag: UInt16 = 0x8000
    /// The longest group name a record can hold (the flag takes the top bit).
    static let maximumNameLength: UInt16 = 0x7FFF

    static func segmentFileName(_ number: UInt64) -> String {
        let digits = String(number)
        return "segment-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".pws"
    }

    /// The segment number in `name`, when it is a segment file's name.
    static func segmentNumber(fileName name: String) -> UInt64? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".pws") else { return nil }
        let digits = name.dropFirst("segment-".count).dropLast(".pws".count)
        guard digits.count == 20 else { return nil }
        return UInt64(digits)
    }

    static func segmentHeader(_ number: UInt64) -> [UInt8] {
        var out = segmentMagic
        appendUInt64(number, to: &out)
        return out
    }

    /// The encoded size of `event`'s record, or `nil` when it cannot be spooled (names longer than 65,535 bytes).
    static func recordSize(of event: EMFLogEvent) -> Int? {
        let group = event.logGroupName.utf8.count
        let stream = event.logStreamName.utf8.count
        guard group <= Int(maximumNameLength), stream <= Int(UInt16.max) else { return nil }
        let payload = 12 + group + stream + event.message.count
        guard payload <= maximumPayloadSize else { return nil }
        return recordHeaderSize + payload
    }

    /// Appends `event`'s record to `out`. Precondition: ``recordSize(of:)`` is not `nil`.
    static func appendRecord(_ event: EMFLogEvent, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: recordHeaderSize))
        appendUInt64(UInt64(bitPattern: event.timestampMilliseconds), to: &out)
        let group = Array(event.logGroupName.utf8)
        let stream = Array(event.logStreamName.utf8)
        let flag = event.messageEncoding == .jsonStringContent ? escapedMessageFlag : 0
        appendUInt16(UInt16(group.count) | flag, to: &out)
        out.append(contentsOf: group)
        appendUInt16(UInt16(stream.count), to: &out)
        out.append(contentsOf: stream)
        out.append(contentsOf: event.message)
        let payloadStart = start + recordHeaderSize
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[payloadStart...])) }
        storeUInt32(UInt32(out.count - payloadStart), into: &out, at: start)
        storeUInt32(crc, into: &out, at: start + 4)
    }

    enum Parse {
        /// A valid record of `size` bytes (header included).
        case record(EMFLogEvent?, size: Int)
        /// The buffer ends before the record does; `size` is the record's full size when its header was readable.
        case incomplete(size: Int?)
        /// Not a valid record: the segment ends here.
        case corrupt
    }

    /// Parses the record at the start of `bytes`; decodes the event only when `decode` is true.
    static func parseRecord(_ bytes: UnsafeRawBufferPointer, decode: Bool) -> Parse {
        guard bytes.count >= recordHeaderSize else { return .incomplete(size: nil) }
        let length = Int(loadUInt32(bytes, at: 0))
        guard length >= 12, length <= maximumPayloadSize else { return .corrupt }
        let size = recordHeaderSize + length
        guard bytes.count >= size else { return .incomplete(size: size) }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[recordHeaderSize..<size])
        guard CRC32C.checksum(payload) == loadUInt32(bytes, at: 4) else { return .corrupt }
        let groupField = loadUInt16(payload, at: 8)
        let groupLength = Int(groupField & maximumNameLength)
        guard 10 + groupLength + 2 <= length else { return .corrupt }
        let streamLength = Int(loadUInt16(payload, at: 10 + groupLength))
        let messageStart = 12 + groupLength + streamLength
        guard messageStart <= length else { return .corrupt }
        guard decode else { return .record(nil, size: size) }
        let timestamp = Int64(bitPattern: loadUInt64(payload, at: 0))
        let group = String(decoding: payload[10..<(10 + groupLength)], as: UTF8.self)
        let stream = String(decoding: payload[(12 + groupLength)..<messageStart], as: UTF8.self)
        let message = [UInt8](payload[messageStart..<length])
        return .record(
            EMFLogEvent(
                destination: EMFLogDestination(logGroupName: group, logStreamName: stream),
                timestampMilliseconds: timestamp,
                message: message[...],
                messageEncoding: groupField & escapedMessageFlag != 0 ? .jsonStringContent : .document
            ),
            size: size
        )
    }

    // MARK: Little-endian helpers

    static func appendUInt16(_ value: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func appendUInt64(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func storeUInt32(_ value: UInt32, into out: inout [UInt8], at index: Int) {
        for i in 0..<4 { out[index + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
    }

    static func loadUInt16(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt16 {
        UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
    }

    static func loadUInt32(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[index + i]) << UInt32(8 * i) }
        return value
    }

    static func loadUInt64(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[index + i]) << UInt64(8 * i) }
        return value
    }
}

/// CRC-32C (Castagnoli), as iSCSI and ext4 use it.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
