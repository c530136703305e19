import Testing

@testable import EMF

/// A target keeps one memo per sample and one table entry per cumulative series and label set, for as long as it is
/// scraped: their sizes are what an agent with many targets pays in memory, so they are pinned here.
struct PerTargetLayoutTests {
    @Test func perSampleAndPerLabelSetRecordsStaySmall() {
        #expect(MemoryLayout<SampleMemo>.stride == 24)
        #expect(MemoryLayout<ByteKeyedTable<GroupInfo>.Entry>.stride == 40)
    }

    @Test func seriesFingerprintsOfDifferentTextsDiffer() {
        let secrets = FingerprintSecrets.process
        func fingerprint(_ text: String) -> SeriesFingerprint {
            Array(text.utf8).withUnsafeBytes { SeriesFingerprint($0, secrets: secrets) }
        }
        // Lengths around the 16-byte blocks, and texts differing only in their last byte or their length.
        var seen: [UInt64: String] = [:]
        for length in 0..<40 {
            for last in ["a", "b"] {
                let text = String(repeating: "x", count: length) + last
                let value = fingerprint(text).value
                #expect(seen[value] == nil, "\(text) and \(seen[value] ?? "") share a fingerprint")
                seen[value] = text
            }
        }
        #expect(fingerprint("up{job=\"a\"}") == fingerprint("up{job=\"a\"}"))
    }
}
