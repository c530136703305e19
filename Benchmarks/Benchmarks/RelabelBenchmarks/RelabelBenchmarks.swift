import Benchmark
import Relabel

/// Relabelling as the agent runs it: target relabelling once per discovered Kubernetes pod (about 60 `__meta_*`
/// labels, the annotation-driven keep/replace/labelmap set), and `metric_relabel_configs` once per scraped sample
/// (hot: the goal is ≤ 100 ns and no allocation when the sample is kept unchanged). Regular expressions alone are
/// measured too: a literal, a literal alternation (both byte fast paths) and a general expression (Pike VM).
let benchmarks: @Sendable () -> Void = {
    let fast = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    let slow = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    // Force-try: constant configurations; a failure is a bug in this file.
    let podRelabeler = try! Relabeler(kubernetesPodRules())
    let pod = kubernetesPod()
    let dropRuntime = try! Relabeler([
        RelabelConfiguration(sourceLabels: ["__name__"], regex: "go_.*|process_.*", action: .drop)
    ])
    let keptSample: Labels = [
        "__name__": "http_requests_total", "code": "200", "handler": "/api/v1/query", "instance": "10.1.2.3:8080",
        "job": "kubernetes-pods", "method": "GET", "namespace": "prod", "pod": "api-7f9c5d-abcde",
    ]
    let droppedSample: Labels = [
        "__name__": "go_gc_duration_seconds", "instance": "10.1.2.3:8080", "job": "kubernetes-pods", "quantile": "0.5",
    ]

    Benchmark("Target relabelling: Kubernetes pod, 60 meta labels, 12 rules", configuration: slow) { benchmark in
        for _ in benchmark.scaledIterations {
            var labels = pod
            blackHole(podRelabeler.process(&labels))
            blackHole(labels)
        }
    }

    Benchmark("metric_relabel drop go_.*|process_.*: sample kept", configuration: fast) { benchmark in
        for _ in benchmark.scaledIterations {
            var labels = keptSample
            blackHole(dropRuntime.process(&labels))
        }
    }

    Benchmark("metric_relabel drop go_.*|process_.*: sample dropped", configuration: fast) { benchmark in
        for _ in benchmark.scaledIterations {
            var labels = droppedSample
            blackHole(dropRuntime.process(&labels))
        }
    }

    let literal = try! RelabelRegex("http_requests_total")
    let alternation = try! RelabelRegex("Succeeded|Failed|Unknown|Pending")
    let general = try! RelabelRegex(#"(.+?)(\:\d+)?;(\d+)"#)
    let nameText = "http_requests_total"
    let phaseText = "Pending"
    let addressText = "10.132.183.40:8080;9100"

    Benchmark("Regex full match: literal", configuration: fast) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(literal.matches(nameText)) }
    }

    Benchmark("Regex full match: alternation of 4 literals", configuration: fast) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(alternation.matches(phaseText)) }
    }

    Benchmark(#"Regex full match: general (.+?)(\:\d+)?;(\d+) (Pike VM)"#, configuration: fast) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(general.matches(addressText)) }
    }

    Benchmark(#"Regex expand $1:$3 from (.+?)(\:\d+)?;(\d+) (Pike VM, captures)"#, configuration: fast) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(general.expand("$1:$3", in: addressText)) }
    }
}

/// A pod as Kubernetes service discovery presents it: 60 labels.
func kubernetesPod() -> Labels {
    var pairs: [(String, String)] = [
        ("__address__", "10.132.183.40:8080"),
        ("__meta_kubernetes_namespace", "payments"),
        ("__meta_kubernetes_pod_name", "checkout-api-7f9c5d8b6-x2kqz"),
        ("__meta_kubernetes_pod_uid", "4c586419-7f6c-448d-aeec-ca4fa5b05e60"),
        ("__meta_kubernetes_pod_ip", "10.132.183.40"),
        ("__meta_kubernetes_pod_host_ip", "10.128.0.178"),
        ("__meta_kubernetes_pod_node_name", "ip-10-128-0-178.eu-west-1.compute.internal"),
        ("__meta_kubernetes_pod_phase", "Running"),
        ("__meta_kubernetes_pod_ready", "true"),
        ("__meta_kubernetes_pod_container_name", "checkout-api"),
        ("__meta_kubernetes_pod_container_image", "registry.example.com/checkout-api:1.42.0"),
        ("__meta_kubernetes_pod_container_init", "false"),
        ("__meta_kubernetes_pod_container_port_name", "http-metrics"),
        ("__meta_kubernetes_pod_container_port_number", "8080"),
        ("__meta_kubernetes_pod_container_port_protocol", "TCP"),
        ("__meta_kubernetes_pod_controller_kind", "ReplicaSet"),
        ("__meta_kubernetes_pod_controller_name", "checkout-api-7f9c5d8b6"),
        ("__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"),
        ("__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape", "true"),
        ("__meta_kubernetes_pod_annotation_prometheus_io_port", "9102"),
        ("__meta_kubernetes_pod_annotationpresent_prometheus_io_port", "true"),
        ("__meta_kubernetes_pod_annotation_prometheus_io_path", "/metrics"),
        ("__meta_kubernetes_pod_annotationpresent_prometheus_io_path", "true"),
        ("__metrics_path__", "/metrics"),
        ("__scheme__", "http"),
        ("__scrape_interval__", "30s"),
        ("__scrape_timeout__", "10s"),
        ("job", "kubernetes-pods"),
    ]
    for i in 0..<16 {
        pairs.append(("__meta_kubernetes_pod_label_app_kubernetes_io_label\(i)", "value-\(i)"))
        pairs.append(("__meta_kubernetes_pod_labelpresent_app_kubernetes_io_label\(i)", "true"))
    }
    return Labels(pairs)
}

/// The annotation-driven pod scrape rules (prometheus.io/scrape, /scheme, /path, /port), labelmap of pod labels,
/// namespace/pod/container labels.
func kubernetesPodRules() throws -> [RelabelConfiguration] {
    [
        try RelabelConfiguration(
            sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
            regex: "true",
            action: .keep
        ),
        try RelabelConfiguration(
            sourceLabels: ["__meta_kubernetes_pod_phase"],
            regex: "Succeeded|Failed",
            action: .drop
        ),
        try RelabelConfiguration(
            sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_scheme"],
            regex: "(https?)",
            targetLabel: "__scheme__"
        ),
        try RelabelConfiguration(
            sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
            regex: "(.+)",
            targetLabel: "__metrics_path__"
        ),
        try RelabelConfiguration(
            sourceLabels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
            regex: #"([^:]+)(?::\d+)?;(\d+)"#,
            targetLabel: "__address__",
            replacement: "$1:$2"
        ),
        try RelabelConfiguration(regex: "__meta_kubernetes_pod_label_(.+)", action: .labelMap),
        try RelabelConfiguration(sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace"),
        try RelabelConfiguration(sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod"),
        try RelabelConfiguration(sourceLabels: ["__meta_kubernetes_pod_container_name"], targetLabel: "container"),
        try RelabelConfiguration(sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node"),
        try RelabelConfiguration(
            sourceLabels: ["__meta_kubernetes_pod_controller_kind", "__meta_kubernetes_pod_controller_name"],
            separator: "/",
            targetLabel: "controller"
        ),
        try RelabelConfiguration(regex: "__meta_kubernetes_pod_labelpresent_.+", action: .labelDrop),
    ]
}
