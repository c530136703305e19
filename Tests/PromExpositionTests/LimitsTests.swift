import Testing

@testable import PromExposition

struct LimitsTests {
    @Test func lineLengthInOneChunk() throws {
        let limits = ExpositionLimits(maximumLineLength: 10)
        #expect(parseError("a 1\nabcdefghij 1\n", limits: limits)?.code == .lineTooLong)
        let error = try #require(parseError("a 1\nabcdefghij 1\n", limits: limits))
        #expect(error.line == 2 && error.column == 11)
        #expect(error.description == "line 2, column 11: line longer than 10 bytes")
        #expect(parseError("abcdefg 12\n", limits: limits) == nil)
    }

    @Test func lineLengthBoundsTheCarryBuffer() throws {
        // A line that never ends must fail once it exceeds the limit, however it is chunked.
        let limits = ExpositionLimits(maximumLineLength: 64)
        var parser = ExpositionParser(format: .text, limits: limits)
        var statistics = ExpositionStatistics()
        let chunk = Array("a 1\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 30)
        let more = [UInt8](repeating: UInt8(ascii: "x"), count: 30)
        try chunk.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        try more.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        let error = #expect(throws: ExpositionError.self) {
            try more.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        }
        #expect(error?.code == .lineTooLong)
        #expect(error?.line == 2)
        #expect(statistics.samples == 1)
    }

    @Test func labelsPerSample() throws {
        let limits = ExpositionLimits(maximumLabelsPerSample: 2)
        #expect(parseError("a{b=\"1\",c=\"2\"} 1\n", limits: limits) == nil)
        let error = try #require(parseError("a{b=\"1\",c=\"2\",d=\"3\"} 1\n", limits: limits))
        #expect(error.code == .tooManyLabels)
        #expect(error.column == 15)
    }

    @Test func labelNameLength() throws {
        let limits = ExpositionLimits(maximumLabelNameLength: 3)
        #expect(parseError("a{abc=\"1\"} 1\n", limits: limits) == nil)
        #expect(parseError("a{abcd=\"1\"} 1\n", limits: limits)?.code == .labelNameTooLong)
    }

    @Test func labelValueLengthCountsUnescapedBytes() throws {
        let limits = ExpositionLimits(maximumLabelValueLength: 4)
        #expect(parseError(#"a{b="\\\\\\\\"} 1"# + "\n", limits: limits) == nil)  // four backslashes
        let error = try #require(parseError("a{b=\"12345\"} 1\n", limits: limits))
        #expect(error.code == .labelValueTooLong)
        #expect(error.column == 6)
    }

    @Test func manyLabelsGrowTheLabelBuffer() throws {
        let labels = (0..<300).map { "l\($0)=\"v\\\\\($0)\"" }.joined(separator: ",")
        let sample = try #require(try record("a{\(labels)} 1\n").samples.first)
        #expect(sample.labels.count == 300)
        #expect(sample.labels[299] == .init(name: "l299", value: "v\\299"))
        #expect(sample.labels[0] == .init(name: "l0", value: "v\\0"))
    }
}
