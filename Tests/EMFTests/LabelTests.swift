import EMF
import PromExposition
import Testing

struct LabelTests {
    static let configuration = EMFConfiguration(
        declarations: [declaration(["^g$"], dimensions: [["job"]])],
        clusterName: "prod",
        constantLabels: ["team": "core", "instance": "ignored"]
    )

    static let conflicting = makeBatch { b in
        b.family("g", .gauge)
        b.sample("g", [("job", "scraped-job"), ("exported_job", "taken"), ("instance", "")], 1)
    }

    @Test func targetLabelsWinAndConflictsAreExported() throws {
        var harness = try Harness(Self.configuration)
        let object = try #require(harness.convert(Self.conflicting).objects.first)
        #expect(object["job"] as? String == "demo")
        #expect(object["exported_job"] as? String == "taken")
        #expect(object["exported_exported_job"] as? String == "scraped-job")
        #expect(object["instance"] as? String == "127.0.0.1:9482")
        #expect(object["ClusterName"] as? String == "prod")
        #expect(object["team"] as? String == "core")
    }

    @Test func honorLabelsKeepsScrapedLabels() throws {
        var harness = try Harness(Self.configuration, target: demoTarget(honorLabels: true))
        let object = try #require(harness.convert(Self.conflicting).objects.first)
        #expect(object["job"] as? String == "scraped-job")
        #expect(object["exported_job"] as? String == "taken")
        #expect(object["exported_exported_job"] == nil)
        // An empty scraped value is an absent label: the target fills it in.
        #expect(object["instance"] as? String == "127.0.0.1:9482")
    }

    @Test func scrapedClusterNameWins() throws {
        var harness = try Harness(Self.configuration)
        let object = try #require(
            harness.convert(
                makeBatch { b in
                    b.family("g", .gauge)
                    b.sample("g", [("ClusterName", "other"), ("team", "edge")], 1)
                }
            ).objects.first
        )
        #expect(object["ClusterName"] as? String == "other")
        #expect(object["team"] as? String == "edge")
    }

    @Test func jobComesFromJobNameWhenTargetLabelsLackIt() throws {
        var harness = try Harness(
            Self.configuration,
            target: EMFTarget(jobName: "node", labels: [("instance", "n1:9100")])
        )
        let object = try #require(
            harness.convert(
                makeBatch { b in
                    b.family("g", .gauge)
                    b.sample("g", 1)
                }
            ).objects.first
        )
        #expect(object["job"] as? String == "node")
    }

    @Test func awsLabelIsNeverWritten() throws {
        var harness = try Harness(Self.configuration)
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("_aws", "x")], 1)
            }
        )
        #expect(conversion.lines.first?.contains(#""_aws":"x""#) == false)
    }

    @Test func changedTargetLabelsAreApplied() throws {
        var harness = try Harness(Self.configuration)
        let batch = makeBatch { b in
            b.family("g", .gauge)
            b.sample("g", 1)
        }
        #expect(harness.convert(batch).values("instance") as? [String] == ["127.0.0.1:9482"])
        harness.target.labels = [("job", "demo"), ("instance", "10.0.0.2:9482")]
        #expect(harness.convert(batch).values("instance") as? [String] == ["10.0.0.2:9482"])
    }

    /// JSON escaping of odd label values: quotes, backslashes, control characters, UTF-8, invalid bytes.
    @Test func oddLabelValuesAreEscaped() throws {
        var harness = try Harness(Self.configuration)
        let odd = "quote\" backslash\\ newline\n tab\t bell\u{7} é 😀"
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("odd", odd), ("na\"me", "v")], 1)
            }
        )
        let line = try #require(conversion.lines.first)
        #expect(line.contains(#""odd":"quote\" backslash\\ newline\u000a tab\u0009 bell\u0007 é 😀""#))
        #expect(line.contains(#""na\"me":"v""#))
        #expect(conversion.objects.first?["odd"] as? String == odd)
    }

    @Test func templatesResolveFromLabels() throws {
        var harness = try Harness(
            EMFConfiguration(
                declarations: [declaration(["^g$"], dimensions: [["job"]])],
                logGroupName: "/k8s/{ClusterName}/{Namespace}",
                logStreamName: "{PodName}.{Instance}.{JobName}"
            )
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("namespace", "shop"), ("pod", "web-1")], 1)
                b.sample("g", [("namespace", "bad ns:*")], 2)
            }
        )
        #expect(conversion.events.map(\.logGroupName) == ["/k8s/undefined/shop", "/k8s/undefined/bad_ns__"])
        #expect(
            conversion.events.map(\.logStreamName) == [
                "web-1.127.0.0.1_9482.demo", "undefined.127.0.0.1_9482.demo",
            ]
        )
    }
}
