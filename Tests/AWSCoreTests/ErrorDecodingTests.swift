import AWSCore
import Testing

struct ErrorDecodingTests {
    func decode(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> AWSError {
        AWSErrorDecoder.decode(AWSHTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    @Test func jsonTypeIsStrippedThroughTheHash() {
        let error = decode(
            400, #"{"__type":"com.amazonaws.logs#ThrottlingException","Message":"Rate exceeded"}"#,
            headers: [("x-amzn-RequestId", "r-1"), ("Content-Type", "text/html")])
        #expect(error.code == .service)
        #expect(error.serviceCode == "ThrottlingException")
        #expect(error.message == "Rate exceeded")
        #expect(error.requestID == "r-1")
        #expect(error.isThrottling)
        #expect(error.isRetryable)
        #expect(error.shortDescription == "ThrottlingException")
        #expect(error.description == "ThrottlingException: Rate exceeded (HTTP 400, request ID r-1)")
    }

    @Test func jsonCodeWithURLSuffix() {
        let error = decode(400, #"{"__type":"ResourceNotFoundException:http://internal.amazon.com/coral/","message":"gone"}"#)
        #expect(error.serviceCode == "ResourceNotFoundException")
        #expect(!error.isRetryable)
    }

    @Test func queryXMLError() {
        let error = decode(
            403,
            """
            <?xml version="1.0"?>
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
              <RequestId>4d8a</RequestId>
            </ErrorResponse>
            """, headers: [("Date", "Sat, 29 Nov 2025 08:00:00 GMT")])
        #expect(error.serviceCode == "InvalidClientTokenId")
        #expect(error.message == "The security token included in the request is invalid.")
        #expect(error.requestID == "4d8a")
        #expect(error.serverDateSeconds == 1_764_403_200)
        #expect(error.isAuthFailure)
        #expect(!error.isRetryable)
    }

    @Test func queryCompatibleHeader() {
        let error = decode(404, "", headers: [("x-amzn-query-error", "ResourceNotFound;Sender")])
        #expect(error.serviceCode == "ResourceNotFound")
        #expect(error.message == "empty response body")
    }

    @Test func htmlFromAnEmulatorOrProxy() {
        let error = decode(502, "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad   Gateway</h1></body></html>")
        #expect(error.serviceCode == nil)
        #expect(error.status == 502)
        #expect(error.message.contains("502 Bad Gateway"))
        #expect(error.isRetryable)
        #expect(error.shortDescription == "HTTP502")
        #expect(error.description.hasPrefix("HTTP 502: "))
    }

    @Test func tooManyRequestsIsThrottling() {
        #expect(decode(429, "slow down").isThrottling)
    }

    @Test func nonServiceErrorsDescribeTheirKind() {
        let error = AWSError(.credentialsNotFound, "no AWS credentials found")
        #expect(error.description == "credentialsNotFound: no AWS credentials found")
        #expect(error.shortDescription == "credentialsNotFound")
        #expect(!error.isThrottling)
    }
}
