/// A simulated HTTP service whose load rises and falls, as the numbers an instrumented service would export:
/// a request counter, an in-flight gauge and a latency histogram.
///
/// Pure and deterministic: ``advance(bySeconds:)`` moves simulated time forward; the same seed gives the same
/// numbers. Load follows a sine wave with a period of ``loadPeriodSeconds`` (five minutes), so a few minutes of
/// `make run` show traffic climbing, latency rising with it, and both falling back.
public struct DemoWorkload: Sendable {
    /// Histogram bucket upper bounds, in seconds (Prometheus client defaults).
    public static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    public static let routes = ["/api/orders", "/api/users"]
    public static let loadPeriodSeconds = 300.0

    /// Requests completed, by route index and status (0: 200, 1: 500).
    public private(set) var requests: [[UInt64]] = Array(repeating: [0, 0], count: DemoWorkload.routes.count)
    /// Cumulative histogram bucket counts (non-cumulative storage; rendered cumulatively), `+Inf` last.
    public private(set) var bucketCounts: [UInt64] = Array(repeating: 0, count: DemoWorkload.bucketBounds.count + 1)
    public private(set) var latencySum: Double = 0
    public private(set) var inFlight: Double = 0
    public private(set) var elapsedSeconds: Double = 0

    private var random: SplitMix64
    private var fractionalRequests: Double = 0

    public init(seed: UInt64 = 0x5eed) {
        random = SplitMix64(seed: seed)
    }

    /// Load now, in requests per second: between 5 and 105.
    public var requestsPerSecond: Double {
        let phase = (elapsedSeconds / Self.loadPeriodSeconds) * 2 * Double.pi
        return 5 + 100 * (1 - cos(phase)) / 2
    }

    /// Moves simulated time forward, completing the requests that arrived in that time.
    public mutating func advance(bySeconds seconds: Double) {
        elapsedSeconds += seconds
        let load = requestsPerSecond
        fractionalRequests += load * seconds
        let arrivals = Int(fractionalRequests)
        fractionalRequests -= Double(arrivals)
        // Median latency grows with load (queueing); errors too.
        let median = 0.02 + 0.18 * (load / 105) * (load / 105)
        let errorRate = 0.002 + 0.03 * (load / 105) * (load / 105)
        var latencyTotal = 0.0
        for _ in 0..<arrivals {
            let route = Int(random.next() % UInt64(Self.routes.count))
            let failed = random.nextUnit() < errorRate
            requests[route][failed ? 1 : 0] += 1
            // Log-normal-ish: median × e^(0.6·z), z from the sum of uniforms.
            let z = (random.nextUnit() + random.nextUnit() + random.nextUnit() - 1.5) * 2
            let latency = median * exp(0.6 * z)
            latencyTotal += latency
            latencySum += latency
            let bucket = Self.bucketBounds.firstIndex { latency <= $0 } ?? Self.bucketBounds.count
            bucketCounts[bucket] += 1
        }
        // Little's law: requests in flight = arrival rate × mean latency.
        inFlight = arrivals > 0 ? (load * latencyTotal / Double(arrivals)).rounded() : 0
    }

    /// The exposition: text format 0.0.4, or OpenMetrics 1.0 when `openMetrics` is true.
    public func render(openMetrics: Bool) -> String {
        var out = ""
        let counterName = openMetrics ? "demo_http_requests" : "demo_http_requests_total"
        out += "# HELP \(counterName) Requests completed by the demo service.\n"
        out += "# TYPE \(counterName) counter\n"
        for (routeIndex, route) in Self.routes.enumerated() {
            for (statusIndex, status) in ["200", "500"].enumerated() {
                out += "demo_http_requests_total{route=\"\(route)\",status=\"\(status)\"} \(requests[routeIndex][statusIndex])\n"
            }
        }
        out += "# HELP demo_http_requests_in_flight Requests being served right now.\n"
        out += "# TYPE demo_http_requests_in_flight gauge\n"
        out += "demo_http_requests_in_flight \(format(inFlight))\n"
        out += "# HELP demo_http_request_duration_seconds Request latency.\n"
        out += "# TYPE demo_http_request_duration_seconds histogram\n"
        if openMetrics { out += "# UNIT demo_http_request_duration_seconds seconds\n" }
        var cumulative: UInt64 = 0
        for (index, bound) in Self.bucketBounds.enumerated() {
            cumulative += bucketCounts[index]
            out += "demo_http_request_duration_seconds_bucket{le=\"\(format(bound))\"} \(cumulative)\n"
        }
        cumulative += bucketCounts[Self.bucketBounds.count]
        out += "demo_http_request_duration_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "demo_http_request_duration_seconds_sum \(format(latencySum))\n"
        out += "demo_http_request_duration_seconds_count \(cumulative)\n"
        if openMetrics { out += "# EOF\n" }
        return out
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

/// A small, fast, seedable generator (SplitMix64), so the demo's numbers are reproducible.
struct SplitMix64: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
