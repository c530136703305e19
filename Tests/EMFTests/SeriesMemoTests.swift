import EMF
import PromExposition
import Testing

/// A target's state remembers, per batch position, what the series there resolved to, and confirms it by a fast
/// fingerprint of the series text. These tests check that the memo never changes the output: series that move,
/// change in place, appear or disappear convert exactly as a state that never saw a memo hit would convert them.
struct SeriesMemoTests {
    /// One series of the scrapes below: family index, labels, value at scrape `k`.
    struct Line {
        var family: Int
        var pod: String
        var container: String
        var value: (Int) -> Double
    }

    static let families: [(name: String, type: MetricType)] = [
        ("requests_total", .counter), ("memory_bytes", .gauge), ("latency", .histogram),
    ]

    static func lines(pods: Range<Int>) -> [Line] {
        var lines: [Line] = []
        for pod in pods {
            for container in ["app", "sidecar"] {
                let seed = Double(pod * 7 + container.count)
                lines.append(Line(family: 0, pod: "pod-\(pod)", container: container) { k in seed * 100 + Double(k) * seed })
                lines.append(Line(family: 1, pod: "pod-\(pod)", container: container) { k in seed + Double(k % 3) })
                lines.append(Line(family: 2, pod: "pod-\(pod)", container: container) { k in seed * 10 + Double(k) * 3 })
            }
        }
        return lines
    }

    /// The batch of scrape `k` with `lines` in the given order (grouped by family, as an exposition must be).
    static func batch(_ lines: [Line], scrape k: Int) -> SampleBatch {
        makeBatch { b in
            for (f, family) in families.enumerated() {
                let members = lines.filter { $0.family == f }
                guard !members.isEmpty else { continue }
                b.family(family.name, family.type)
                for line in members {
                    let labels = [("pod", line.pod), ("container", line.container)]
                    let value = line.value(k)
                    if family.type == .histogram {
                        b.histogram(
                            family.name, labels, bounds: ["0.5", "1", "+Inf"],
                            cumulative: [value / 4, value / 2, value], sum: value / 3)
                    } else {
                        b.sample(family.name, labels, value)
                    }
                }
            }
        }
    }

    /// Events of a conversion as sorted messages (event order follows sample order, which differs between runs).
    static func messages(_ conversion: Conversion) -> [String] { conversion.lines.sorted() }

    @Test func shuffledChangedAndReplacedSeriesConvertAsInCanonicalOrder() throws {
        let configuration = EMFConfiguration(
            declarations: [declaration(["."], dimensions: [["job", "instance"], ["container"]])], initialValue: .keep)
        var canonical = try Harness(configuration)
        var shuffled = try Harness(configuration)
        var generator = SplitMix(seed: 42)
        // Scrapes whose series set changes now and then (pods come and go), in canonical order for one state and
        // shuffled within each family for the other.
        let podSets = [0..<6, 0..<6, 0..<6, 2..<8, 2..<8, 0..<8, 0..<8, 3..<5, 3..<5, 0..<6]
        for (k, pods) in podSets.enumerated() {
            let lines = Self.lines(pods: pods)
            var order = lines
            if k % 3 != 1 {  // sometimes the same order as last time, so memos hit
                for i in order.indices.reversed() where i > 0 {
                    order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
                }
            }
            let a = canonical.convert(Self.batch(lines, scrape: k))
            let b = shuffled.convert(Self.batch(order, scrape: k))
            #expect(Self.messages(a) == Self.messages(b), "scrape \(k)")
            #expect(a.report.metricsEmitted == b.report.metricsEmitted)
            #expect(a.report.seriesEvicted == b.report.seriesEvicted)
        }
    }

    /// A series replaced in place (same position, other labels) is a new series, never a delta of the old one.
    @Test func seriesReplacedAtTheSamePositionStartsAfresh() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["."])], initialValue: .drop))
        func scrape(_ pod: String, _ value: Double) -> SampleBatch {
            makeBatch { b in
                b.family("c", .counter)
                b.sample("c_total", [("pod", pod)], value)
                b.family("g", .gauge)
                b.sample("g", [("pod", "x")], 1)
            }
        }
        _ = harness.convert(scrape("a", 100))
        #expect(harness.convert(scrape("a", 110)).numbers("c_total") == [10])
        // Another series where "a" was: a baseline (initial_value: drop), not 500 - 110.
        #expect(harness.convert(scrape("b", 500)).numbers("c_total") == [])
        #expect(harness.convert(scrape("b", 530)).numbers("c_total") == [30])
        // Back to "a" (evicted two scrapes ago, remembered): a baseline again, then deltas.
        #expect(harness.convert(scrape("a", 200)).numbers("c_total") == [])
        #expect(harness.convert(scrape("a", 204)).numbers("c_total") == [4])
    }

    /// Numbers that are not integers are written as their shortest round-trip form, exactly as `description` is.
    @Test func fractionalNumbersMatchDescription() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["."])]))
        var generator = SplitMix(seed: 7)
        var values: [Double] = [0.1, 1.0 / 3, 2.5e-100, 1e21, -42.125, 1.5e-7, 9_007_199_254_740_993, 123456.789e3]
        for _ in 0..<200 {
            let bits = generator.next()
            let value = Double(bitPattern: bits)
            if value.isFinite, value.magnitude < 0x1p300, value.magnitude > 0x1p-300 { values.append(value) }
            values.append(Double(bits >> 11) * 0x1p-53 * 1e6)
        }
        let conversion = harness.convert(
            makeBatch { b in
                for (n, value) in values.enumerated() {
                    b.family("g\(n)", .gauge)
                    b.sample("g\(n)", value)
                }
            })
        for (n, value) in values.enumerated() {
            var expected = value.description
            if value.magnitude < 1e15, value == value.rounded(.towardZero) { expected = String(Int64(value)) }
            if expected.hasSuffix(".0") { expected.removeLast(2) }
            let found = conversion.lines.contains { $0.contains("\"g\(n)\":\(expected)}") || $0.contains("\"g\(n)\":\(expected),") }
            #expect(found, "g\(n) = \(expected)")
        }
    }
}

/// A small deterministic generator for the tests (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
