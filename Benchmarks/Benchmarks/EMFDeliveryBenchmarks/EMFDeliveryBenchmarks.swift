import AWSClients
import Benchmark
import EMF
import NIOCore

/// The CloudWatch Logs delivery hot path without the network: EMF log events → PutLogEvents batches
/// (`LogEventBatcher`: group by stream, stable sort, cut at 1,048,576 bytes / 10,000 events / 24 h) → request bodies
/// (awsJson1.1). Input: 10,000 EMF documents of ~420 bytes (4.2 MB) over 4 streams, timestamps slightly out of order
/// as concurrent scrape loops produce them. Per-iteration work is fixed (the names say how much), so
/// events/s = events per iteration × throughput and bytes/s = bytes per iteration × throughput.
let benchmarks: @Sendable () -> Void = {
    let now: Int64 = 1_795_938_226_000
    let events = sampleEvents(count: 10_000, streams: 4, now: now)
    let messageBytes = events.reduce(0) { $0 + $1.message.count }
    let oneStream = LogEventBatcher.batches(for: events.filter { $0.logStreamName == "node-0" }, nowMilliseconds: now)
    let fullBatch = oneStream.batches[0]

    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    Benchmark(
        "Batch 10,000 EMF events (\(messageBytes / 1000) KB, 4 streams)",
        configuration: configuration
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(LogEventBatcher.batches(for: events, nowMilliseconds: now))
        }
    }

    Benchmark(
        "Batch and encode PutLogEvents bodies, 10,000 EMF events (\(messageBytes / 1000) KB)",
        configuration: configuration
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let batching = LogEventBatcher.batches(for: events, nowMilliseconds: now)
            var total = 0
            for batch in batching.batches { total += requestBody(batch).count }
            blackHole(total)
        }
    }

    // The same batch as the CloudWatch output's converter writes it: messages already JSON string content.
    let escapedBatch = fullBatch.events.map {
        InputLogEvent(
            timestampMilliseconds: $0.timestampMilliseconds,
            message: $0.message.flatMap { byte -> [UInt8] in
                byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? [UInt8(ascii: "\\"), byte] : [byte]
            }[...],
            messageIsEscaped: true
        )
    }
    Benchmark(
        "Encode one PutLogEvents body, messages pre-escaped (\(fullBatch.events.count) events)",
        configuration: configuration
    ) { benchmark in
        // Into one reused buffer, as the agent writes every request body.
        var body = ByteBuffer()
        for _ in benchmark.scaledIterations {
            CloudWatchLogsClient.writePutLogEventsBody(
                group: fullBatch.logGroupName,
                stream: fullBatch.logStreamName,
                events: escapedBatch,
                into: &body
            )
            blackHole(body.readableBytes)
        }
    }

    Benchmark(
        "Encode one PutLogEvents body (\(fullBatch.events.count) events, \(fullBatch.byteCount / 1000) KB)",
        configuration: configuration
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(requestBody(fullBatch))
        }
    }
}

/// The PutLogEvents body exactly as the agent sends it (`CloudWatchLogsClient`'s encoder).
func requestBody(_ batch: LogEventBatch) -> [UInt8] {
    CloudWatchLogsClient.putLogEventsBody(
        group: batch.logGroupName,
        stream: batch.logStreamName,
        events: batch.events.map { InputLogEvent(timestampMilliseconds: $0.timestampMilliseconds, message: $0.message) }
    )
}

/// EMF documents shaped like promwatch's output for a node-exporter scrape: `_aws` directive, dimensions, a few values.
func sampleEvents(count: Int, streams: Int, now: Int64) -> [EMFLogEvent] {
    var events: [EMFLogEvent] = []
    events.reserveCapacity(count)
    for index in 0..<count {
        // Scrape loops finish out of order: jitter timestamps by up to ±2 s around a rising clock.
        let timestamp = now - Int64(count - index) * 10 + Int64((index * 7_919) % 4_000) - 2_000
        let message = """
            {"_aws":{"Timestamp":\(timestamp),"CloudWatchMetrics":[{"Namespace":"ContainerInsights/Prometheus",\
            "Dimensions":[["ClusterName","Namespace","Service"]],"Metrics":[{"Name":"http_requests_total","Unit":"Count"},\
            {"Name":"http_request_duration_seconds_sum","Unit":"Seconds"}]}]},"ClusterName":"prod-eu-west-1",\
            "Namespace":"payments","Service":"api-\(index % 17)","instance":"10.0.\(index % 250).\(index % 200):9100",\
            "job":"kubernetes-pods","http_requests_total":\(index % 1000),"http_request_duration_seconds_sum":\
            \(Double(index % 977) / 7.0),"prom_metric_type":"counter"}
            """
        events.append(
            EMFLogEvent(
                logGroupName: "/aws/containerinsights/prod-eu-west-1/prometheus",
                logStreamName: "node-\(index % streams)",
                timestampMilliseconds: timestamp,
                message: Array(message.utf8)
            )
        )
    }
    return events
}
