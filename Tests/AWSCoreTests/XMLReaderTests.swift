import AWSCore
import Testing

struct XMLReaderTests {
    @Test func queryResponseWithNamespacesAndLists() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
              <DescribeAlarmsResult>
                <MetricAlarms>
                  <member><AlarmName>a</AlarmName><Dimensions><member><Name>k</Name><Value>v</Value></member></Dimensions></member>
                  <member><AlarmName>b</AlarmName><Dimensions/></member>
                </MetricAlarms>
                <NextToken></NextToken>
              </DescribeAlarmsResult>
              <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
            </DescribeAlarmsResponse>
            """
        let root = try AWSXML.parse(xml)
        #expect(root.name == "DescribeAlarmsResponse")
        let alarms = root.path("DescribeAlarmsResult", "MetricAlarms")?.children("member") ?? []
        #expect(alarms.map { $0.string("AlarmName") } == ["a", "b"])
        #expect(alarms[0].members("Dimensions").first?.string("Value") == "v")
        #expect(alarms[1].members("Dimensions").isEmpty)
        #expect(root.string("DescribeAlarmsResult", "NextToken") == "")
        #expect(root.first(named: "RequestId")?.text == "req-1")
    }

    @Test func entitiesAndCharacterReferences() throws {
        let root = try AWSXML.parse(
            "<a><b>&lt;tag&gt; &amp; &quot;q&quot; &apos;s&apos;</b><c>&#65;&#x42;&#x1F680;&#233;</c><d><![CDATA[<raw> & stuff]]></d></a>")
        #expect(root.string("b") == #"<tag> & "q" 's'"#)
        #expect(root.string("c") == "AB🚀é")
        #expect(root.string("d") == "<raw> & stuff")
    }

    @Test func attributesAreSkippedEvenWithAngleBrackets() throws {
        let root = try AWSXML.parse(#"<x:root a="1 > 2" b='x/y'><x:child c="&quot;">text</x:child><empty attr="1"/></x:root>"#)
        #expect(root.name == "root")
        #expect(root.string("child") == "text")
        #expect(root.child("empty") != nil)
    }

    @Test func textIsUntrimmedAndMixedContentConcatenated() throws {
        let root = try AWSXML.parse("<m> lead <i>x</i> tail </m>")
        #expect(root.text == " lead  tail ")
        #expect(root.string("i") == "x")
    }

    @Test(arguments: [
        "", "plain text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&unknown;</a>", "<a>&#xZZ;</a>", "<a>&amp</a>",
        "<a></a><b></b>", "<a x=\"1></a>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a/>", "<a>&#0;</a>",
    ])
    func malformedInputIsRejected(_ input: String) {
        #expect(throws: AWSError.self) { try AWSXML.parse(input) }
        if let error = try? #require(throws: AWSError.self, performing: { try AWSXML.parse(input) }) {
            #expect(error.code == .invalidResponse)
        }
    }

    @Test func deepNestingIsBounded() {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(throws: AWSError.self) { try AWSXML.parse(deep) }
        let ok = String(repeating: "<a>", count: 100) + "x" + String(repeating: "</a>", count: 100)
        #expect((try? AWSXML.parse(ok)) != nil)
    }

    @Test func errorResponse() throws {
        let root = try AWSXML.parse(
            "<ErrorResponse><Error><Type>Sender</Type><Code>ResourceNotFound</Code><Message>Alarm x not found</Message></Error><RequestId>r</RequestId></ErrorResponse>")
        #expect(root.first(named: "Error")?.string("Code") == "ResourceNotFound")
    }
}
