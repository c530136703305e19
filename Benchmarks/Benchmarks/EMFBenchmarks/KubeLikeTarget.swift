/// A deterministic scrape body shaped like the agent benchmark's targets (`../shared/bench/agents/gen_targets.py`):
/// Go runtime and process metrics, HTTP counters and histograms, gRPC counters, node CPU and filesystem gauges, then
/// cAdvisor and kube-state-metrics pod series with long label values (nearly every series its own label set),
/// exactly `series` samples, text format 0.0.4. Scrape `k` of the same target has the same series in the same
/// order; counters grow from scrape to scrape, gauges jitter, constants stay.
struct KubeLikeTarget {
    private struct Series {
        var labels: String
        var kind: Kind
        var base: Double
        var rate: Double
        var integer: Bool
    }

    private enum Kind { case counter, gauge, constant }

    private struct Family {
        var name: String
        var type: String
        var help: String
        var series: [Series]
    }

    private let families: [Family]
    private let seed: UInt64
    let interval: Double = 10

    init(index: Int, series total: Int) {
        seed = UInt64(index)
        var rng = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 1)
        func u(_ a: Double, _ b: Double) -> Double { a + (b - a) * rng.nextUnit() }
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func hex(_ n: Int) -> String {
            let digits = Array("0123456789abcdef")
            return String((0..<n).map { _ in digits[Int(rng.next() % 16)] })
        }

        var families: [Family] = []
        var gc = ["0", "0.25", "0.5", "0.75", "1"].map {
            Series(labels: "{quantile=\"\($0)\"}", kind: .gauge, base: u(2e-5, 4e-4), rate: 0, integer: false)
        }
        gc.append(Series(labels: "_sum", kind: .counter, base: u(1, 100), rate: 1e-3, integer: false))
        gc.append(Series(labels: "_count", kind: .counter, base: Double(below(100_000)), rate: 0.5, integer: true))
        families.append(Family(name: "go_gc_duration_seconds", type: "summary", help: "A summary of the pause duration of garbage collection cycles.", series: gc))
        let singles: [(String, Kind, String, Double, Double, Bool)] = [
            ("go_goroutines", .gauge, "Number of goroutines that currently exist.", Double(50 + below(450)), 0, true),
            ("go_threads", .gauge, "Number of OS threads created.", Double(10 + below(30)), 0, true),
            ("go_memstats_alloc_bytes", .gauge, "Number of bytes allocated and still in use.", u(1e6, 1e8), 0, true),
            ("go_memstats_alloc_bytes_total", .counter, "Total number of bytes allocated, even if freed.", u(1e9, 1e11).rounded(), 1e6, true),
            ("go_memstats_heap_inuse_bytes", .gauge, "Number of heap bytes that are in use.", u(1e7, 1e8), 0, true),
            ("go_memstats_mallocs_total", .counter, "Total number of mallocs.", u(1e7, 1e9).rounded(), 1e4, true),
            ("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.", u(1e2, 1e5), 0.05, false),
            ("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", u(3e7, 5e8), 0, true),
            ("process_open_fds", .gauge, "Number of open file descriptors.", Double(20 + below(180)), 0, true),
            ("process_start_time_seconds", .constant, "Start time of the process since unix epoch in seconds.", (u(1.76e9, 1.77e9) * 100).rounded() / 100, 0, false),
        ]
        for (name, kind, help, base, rate, integer) in singles {
            families.append(Family(name: name, type: kind == .counter ? "counter" : "gauge", help: help, series: [Series(labels: "", kind: kind, base: base, rate: rate, integer: integer)]))
        }
        let handlers = ["/", "/api/v1/users", "/api/v1/users/:id", "/api/v1/orders", "/api/v1/orders/:id", "/api/v1/cart",
            "/api/v1/search", "/api/v1/login", "/api/v1/logout", "/healthz", "/readyz", "/metrics",
            "/api/v2/items", "/api/v2/items/:id", "/api/v2/inventory", "/static/*", "/graphql", "/ws",
            "/api/v1/payments", "/api/v1/refunds"]
        var requests: [Series] = []
        for h in handlers { for m in ["GET", "POST", "PUT"] { for c in ["200", "201", "404", "500"] {
            requests.append(Series(labels: "{code=\"\(c)\",handler=\"\(h)\",method=\"\(m)\"}", kind: .counter, base: Double(below(10_000_000)), rate: u(0, 50), integer: true))
        } } }
        families.append(Family(name: "http_requests_total", type: "counter", help: "Total number of HTTP requests by handler, method and status code.", series: requests))
        let buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
        var histogram: [Series] = []
        for h in handlers { for m in ["GET", "POST"] {
            let rate = u(0, 40)
            var acc = 0.0
            for b in buckets {
                acc += Double(below(100_000))
                histogram.append(Series(labels: "_bucket{handler=\"\(h)\",method=\"\(m)\",le=\"\(b)\"}", kind: .counter, base: acc, rate: rate, integer: true))
            }
            histogram.append(Series(labels: "_sum{handler=\"\(h)\",method=\"\(m)\"}", kind: .counter, base: acc * 0.0731, rate: rate * 0.0731, integer: false))
            histogram.append(Series(labels: "_count{handler=\"\(h)\",method=\"\(m)\"}", kind: .counter, base: acc, rate: rate, integer: true))
        } }
        families.append(Family(name: "http_request_duration_seconds", type: "histogram", help: "Latency of HTTP requests.", series: histogram))
        let grpc = [("grpc.health.v1.Health", "Check"), ("orders.v1.OrderService", "GetOrder"),
            ("orders.v1.OrderService", "ListOrders"), ("orders.v1.OrderService", "CreateOrder"),
            ("users.v1.UserService", "GetUser"), ("users.v1.UserService", "UpdateUser"),
            ("inventory.v1.Stock", "Reserve"), ("inventory.v1.Stock", "Release")]
        var handled: [Series] = []
        for (s, m) in grpc { for c in ["OK", "Canceled", "InvalidArgument", "NotFound", "DeadlineExceeded", "Unavailable", "Internal"] {
            handled.append(Series(labels: "{grpc_code=\"\(c)\",grpc_method=\"\(m)\",grpc_service=\"\(s)\",grpc_type=\"unary\"}", kind: .counter, base: Double(below(1_000_000)), rate: u(0, 5), integer: true))
        } }
        families.append(Family(name: "grpc_server_handled_total", type: "counter", help: "Total number of RPCs completed on the server.", series: handled))
        var cpu: [Series] = []
        for c in 0..<16 { for m in ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"] {
            cpu.append(Series(labels: "{cpu=\"\(c)\",mode=\"\(m)\"}", kind: .counter, base: u(0, 1e6), rate: u(0, 1), integer: false))
        } }
        families.append(Family(name: "node_cpu_seconds_total", type: "counter", help: "Seconds the CPUs spent in each mode.", series: cpu))
        let filesystems = [("/dev/nvme0n1p1", "ext4", "/"), ("/dev/nvme0n1p15", "vfat", "/boot/efi"), ("tmpfs", "tmpfs", "/run"),
            ("overlay", "overlay", "/var/lib/containerd"), ("shm", "tmpfs", "/dev/shm")]
        for name in ["node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_filesystem_files_free"] {
            families.append(Family(name: name, type: "gauge", help: "Filesystem information.", series: filesystems.map { d, t, m in
                Series(labels: "{device=\"\(d)\",fstype=\"\(t)\",mountpoint=\"\(m)\"}", kind: .gauge, base: u(1e9, 1e11), rate: 0, integer: true)
            }))
        }
        let have = families.reduce(0) { $0 + $1.series.count }
        let pods = Swift.max(0, (total - have + 9) / 10)
        let namespaces = ["default", "kube-system", "monitoring", "payments", "checkout", "search", "ingress-nginx", "data"]
        var cpuUsage: [Series] = [], memory: [Series] = [], network: [Series] = [], phases: [Series] = []
        for pod in 0..<pods {
            let ns = namespaces[(index + pod) % namespaces.count]
            let podName = "\(ns)-svc\(pod % 37)-\(hex(10))-\(hex(5))"
            let uid = "\(hex(8))-\(hex(4))-\(hex(4))-\(hex(4))-\(hex(12))"
            for container in ["app", "istio-proxy"] {
                let labels = "{container=\"\(container)\",id=\"/kubepods/burstable/pod\(uid)/\(hex(64))\","
                    + "image=\"registry.example.com/\(ns)/\(container):v1.\(below(40)).\(below(10))\","
                    + "name=\"k8s_\(container)_\(podName)_\(ns)_\(uid)_0\",namespace=\"\(ns)\",pod=\"\(podName)\"}"
                cpuUsage.append(Series(labels: labels, kind: .counter, base: u(0, 1e4), rate: u(0, 0.5), integer: false))
                memory.append(Series(labels: labels, kind: .gauge, base: u(1e7, 1e9), rate: 0, integer: true))
            }
            network.append(Series(labels: "{interface=\"eth0\",namespace=\"\(ns)\",pod=\"\(podName)\"}", kind: .counter, base: Double(below(10_000_000_000)), rate: u(0, 1e5), integer: true))
            for phase in ["Failed", "Pending", "Running", "Succeeded", "Unknown"] {
                phases.append(Series(labels: "{namespace=\"\(ns)\",phase=\"\(phase)\",pod=\"\(podName)\",uid=\"\(uid)\"}", kind: .constant, base: phase == "Running" ? 1 : 0, rate: 0, integer: true))
            }
        }
        families.append(Family(name: "container_cpu_usage_seconds_total", type: "counter", help: "Synthetic container cpu usage seconds total.", series: cpuUsage))
        families.append(Family(name: "container_memory_working_set_bytes", type: "gauge", help: "Synthetic container memory working set bytes.", series: memory))
        families.append(Family(name: "container_network_receive_bytes_total", type: "counter", help: "Synthetic container network receive bytes total.", series: network))
        families.append(Family(name: "kube_pod_status_phase", type: "gauge", help: "Synthetic kube pod status phase.", series: phases))
        // Exactly `total` series.
        var kept: [Family] = []
        var count = 0
        for var family in families {
            family.series = Array(family.series.prefix(total - count))
            count += family.series.count
            if !family.series.isEmpty { kept.append(family) }
        }
        self.families = kept
    }

    /// The body of scrape `k`.
    func body(scrape k: Int) -> [UInt8] {
        var rng = SplitMix64(seed: seed &* 1000 &+ UInt64(k) &+ 7)
        var out = ""
        out.reserveCapacity(400_000)
        for family in families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for s in family.series {
                var v: Double
                switch s.kind {
                case .counter: v = s.base + s.rate * interval * Double(k)
                case .constant: v = s.base
                case .gauge: v = s.base * (1 + (rng.nextUnit() - 0.5) * 0.2)
                }
                if s.integer { v = v.rounded() }
                out += "\(family.name)\(s.labels) \(Self.format(v))\n"
            }
        }
        return Array(out.utf8)
    }

    /// Roughly as client_golang formats values: integers without a fraction, else shortest round-trip.
    private static func format(_ v: Double) -> String {
        if v == v.rounded(), v.magnitude < 1e18 { return String(Int64(v)) }
        return "\(v)"
    }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
