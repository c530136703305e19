/// A parser for any ``ExpositionFormat``: ``ExpositionParser`` for text 0.0.4 and OpenMetrics,
/// ``ProtobufExpositionParser`` for protobuf. What the scraper and `promwatch parse` use.
///
/// ```swift
/// var parser = AnyExpositionParser(format: ExpositionFormat(contentType: contentType), limits: limits)
/// for chunk in body { try chunk.withUnsafeReadableBytes { try parser.parse($0, into: &batch) } }
/// try parser.finish(into: &batch)
/// ```
public struct AnyExpositionParser: Sendable {
    public let format: ExpositionFormat
    // Exactly one is set. Optionals rather than an enum so `text!.parse(…)` mutates in place: moving a parser out
    // of an enum payload would make its copy-on-write buffers non-unique and copy them on every chunk.
    @usableFromInline var text: ExpositionParser?
    @usableFromInline var protobuf: ProtobufExpositionParser?

    /// - Parameters:
    ///   - format: the exposition format; choose it with ``ExpositionFormat/init(contentType:)``.
    ///   - limits: line and label bounds.
    ///   - validation: how much of OpenMetrics' semantics to enforce (text formats only).
    ///   - maximumMessageSize: the longest protobuf message (one metric family) accepted (protobuf only).
    public init(
        format: ExpositionFormat,
        limits: ExpositionLimits = .init(),
        validation: ExpositionValidation = .standard,
        maximumMessageSize: Int = ProtobufExpositionParser.defaultMaximumMessageSize
    ) {
        self.format = format
        switch format {
        case .text, .openMetrics:
            text = ExpositionParser(format: format, limits: limits, validation: validation)
        case .protobuf:
            protobuf = ProtobufExpositionParser(limits: limits, maximumMessageSize: maximumMessageSize)
        }
    }

    /// Protobuf histogram metrics skipped because they carry only native-histogram data (0 for text formats).
    public var nativeHistogramsSkipped: Int { protobuf?.nativeHistogramsSkipped ?? 0 }

    /// Parses one chunk of the body, split anywhere.
    ///
    /// - Throws: ``ExpositionParseError`` on the first malformed line or message, or exceeded limit.
    @inlinable  // so the scraper gets the text parser specialised for its consumer
    public mutating func parse<C: ExpositionConsumer>(
        _ chunk: UnsafeRawBufferPointer,
        into consumer: inout C
    ) throws(ExpositionParseError) {
        if text != nil {
            do throws(ExpositionError) {
                try text!.parse(chunk, into: &consumer)  // Checked above; mutated in place.
            } catch {
                throw .text(error)
            }
        } else {
            do throws(ProtobufExpositionError) {
                try protobuf!.parse(chunk, into: &consumer)  // The one set when text is not.
            } catch {
                throw .protobuf(error)
            }
        }
    }

    /// Ends the input.
    ///
    /// - Throws: ``ExpositionParseError`` for a malformed last line, a missing `# EOF` or a truncated message.
    @inlinable
    public mutating func finish<C: ExpositionConsumer>(into consumer: inout C) throws(ExpositionParseError) {
        if text != nil {
            do throws(ExpositionError) {
                try text!.finish(into: &consumer)  // Checked above.
            } catch {
                throw .text(error)
            }
        } else {
            do throws(ProtobufExpositionError) {
                try protobuf!.finish(into: &consumer)  // The one set when text is not.
            } catch {
                throw .protobuf(error)
            }
        }
    }

    /// Prepares the parser for another exposition of the same format, keeping its buffers.
    public mutating func reset() {
        if text != nil { text!.reset() } else { protobuf!.reset() }  // One of them is set.
    }

    /// Parses a whole exposition held in memory.
    ///
    /// - Throws: ``ExpositionParseError`` on the first error.
    public static func parse<C: ExpositionConsumer>(
        _ bytes: [UInt8],
        format: ExpositionFormat,
        limits: ExpositionLimits = .init(),
        validation: ExpositionValidation = .standard,
        into consumer: inout C
    ) throws(ExpositionParseError) {
        var parser = AnyExpositionParser(format: format, limits: limits, validation: validation)
        var result: Result<Void, ExpositionParseError> = .success(())
        bytes.withUnsafeBytes { raw in
            do throws(ExpositionParseError) {
                try parser.parse(raw, into: &consumer)
                try parser.finish(into: &consumer)
            } catch {
                result = .failure(error)
            }
        }
        try result.get()
    }
}

/// Why ``AnyExpositionParser`` rejected an exposition: the text or protobuf parser's error.
public enum ExpositionParseError: Error, CustomStringConvertible, Sendable {
    /// From ``ExpositionParser``: names the line and column.
    case text(ExpositionError)
    /// From ``ProtobufExpositionParser``: names the byte offset.
    case protobuf(ProtobufExpositionError)

    /// `line 12, column 7: …` or `byte offset 1234: …`.
    public var description: String {
        switch self {
        case .text(let error): error.description
        case .protobuf(let error): error.description
        }
    }

    /// The error's code (`invalid_label_syntax`, `truncated_message`): bounded cardinality, for metric labels.
    public var shortDescription: String {
        switch self {
        case .text(let error): error.shortDescription
        case .protobuf(let error): error.shortDescription
        }
    }

    /// The message without its position.
    public var message: String {
        switch self {
        case .text(let error): error.message
        case .protobuf(let error): error.message
        }
    }

    /// The ``ExpositionLimits`` bound (or protobuf message size) the exposition exceeded, if that is the error.
    public var exceededLimit: ExpositionLimitKind? {
        switch self {
        case .text(let error):
            switch error.code {
            case .lineTooLong: .lineLength
            case .tooManyLabels: .labelsPerSample
            case .labelNameTooLong: .labelNameLength
            case .labelValueTooLong: .labelValueLength
            default: nil
            }
        case .protobuf(let error):
            switch error.code {
            case .messageTooLarge: .messageSize
            case .tooManyLabels: .labelsPerSample
            case .labelNameTooLong: .labelNameLength
            case .labelValueTooLong: .labelValueLength
            default: nil
            }
        }
    }
}

/// Which parser bound an exposition exceeded.
public enum ExpositionLimitKind: Sendable, Hashable {
    /// ``ExpositionLimits/maximumLineLength`` (text).
    case lineLength
    /// ``ExpositionLimits/maximumLabelsPerSample``.
    case labelsPerSample
    /// ``ExpositionLimits/maximumLabelNameLength``.
    case labelNameLength
    /// ``ExpositionLimits/maximumLabelValueLength``.
    case labelValueLength
    /// ``ProtobufExpositionParser/maximumMessageSize`` (protobuf).
    case messageSize
}
