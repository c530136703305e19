import PromExposition
import PromwatchConfig
import Testing

@testable import Scrape

struct ScrapeTargetTests {
    @Test func urlCarriesSchemePathAndEncodedParams() {
        var job = ScrapeConfiguration(jobName: "federate")
        job.scheme = .https
        job.metricsPath = "/federate"
        job.params = ["match[]": ["{job=\"node\"}", "up"], "format": ["text"]]
        let target = ScrapeTarget(job: job, address: "10.0.0.1:9090")
        #expect(
            target.url == "https://10.0.0.1:9090/federate?format=text&match%5B%5D=%7Bjob%3D%22node%22%7D&match%5B%5D=up"
        )
    }

    @Test func labelsIncludeJobInstanceAndStaticLabelsSorted() {
        let target = ScrapeTarget(
            job: ScrapeConfiguration(jobName: "api"),
            address: "127.0.0.1:8080",
            extraLabels: ["zone": "a", "env": "prod"]
        )
        #expect(target.labels.map(\.name) == ["env", "instance", "job", "zone"])
        #expect(target.instance == "127.0.0.1:8080")
        #expect(target.labels.first { $0.name == "job" }?.value == "api")
    }

    @Test func staticLabelsMayOverrideInstance() {
        let target = ScrapeTarget(
            job: ScrapeConfiguration(jobName: "api"),
            address: "127.0.0.1:8080",
            extraLabels: ["instance": "api-1"]
        )
        #expect(target.instance == "api-1")
    }

    @Test func reservedLabelsSetSchemePathAndParamsAndAreDropped() {
        var job = ScrapeConfiguration(jobName: "bench")
        job.params = ["module": ["a", "b"]]
        let target = ScrapeTarget(
            job: job,
            address: "127.0.0.1:8080",
            extraLabels: [
                "__metrics_path__": "/t/3/metrics", "__param_module": "x", "__param_target": "h 1",
                "__scheme__": "https", "instance": "target-3",
            ]
        )
        #expect(target.url == "https://127.0.0.1:8080/t/3/metrics?module=x&module=b&target=h%201")
        #expect(target.scheme == .https)
        #expect(target.labels.map(\.name) == ["instance", "job"])
        #expect(target.instance == "target-3")
        let other = ScrapeTarget(job: job, address: "127.0.0.1:8080", extraLabels: ["__metrics_path__": "/t/4/metrics"])
        #expect(target.id != other.id)
    }

    @Test func stableHashDependsOnIdentityOnly() {
        let a = ScrapeTarget(job: ScrapeConfiguration(jobName: "x"), address: "h:1")
        let b = ScrapeTarget(job: ScrapeConfiguration(jobName: "x"), address: "h:1")
        let c = ScrapeTarget(job: ScrapeConfiguration(jobName: "x"), address: "h:2")
        #expect(a.stableHash == b.stableHash)
        #expect(a.stableHash != c.stableHash)
    }

    @Test(arguments: [
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.openMetrics),
        ("Application/OpenMetrics-Text;version=0.0.1", .openMetrics),
        (" \tapplication/openmetrics-text \t; version=1.0.0", .openMetrics),
        ("APPLICATION/OPENMETRICS-TEXT", .openMetrics),
        ("application/openmetrics-textx", .text),
        ("application/openmetrics", .text),
        ("application/openmetrics-tëxt", .text),
        ("application/openmetrics\u{0}text", .text),
        ("text/plain; version=0.0.4; charset=utf-8", .text),
        ("", .text),
        ("garbage", .text),
    ])
    func contentTypeChoosesTheParserLikePrometheus(contentType: String, expected: ExpositionFormat) {
        #expect(ExpositionFormat(contentType: contentType) == expected)
    }

    @Test func missingContentTypeMeansText() {
        #expect(ExpositionFormat(contentType: nil) == .text)
    }

    @Test func basicAuthAndBearerHeaders() throws {
        var job = ScrapeConfiguration(jobName: "secured")
        job.basicAuth = BasicAuth(username: "user", password: Secret("pass"))
        #expect(try Scraper.authorizationHeader(for: job) == "Basic dXNlcjpwYXNz")
        job.basicAuth = nil
        job.authorization = Authorization(type: "Bearer", credentials: Secret("token-123"))
        #expect(try Scraper.authorizationHeader(for: job) == "Bearer token-123")
    }
}
