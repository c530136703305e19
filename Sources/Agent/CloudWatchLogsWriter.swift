import AWSClients
import AWSCore
import EMF
import EMFDelivery

/// Adapts the CloudWatch Logs client to what EMF delivery needs, classifying every AWS failure so the sink
/// knows whether to retry, create a missing group or stream, bisect a batch, or back off on an auth problem.
struct CloudWatchLogsWriter: CloudWatchLogsWriting {
    let client: CloudWatchLogsClient

    func createLogGroup(_ logGroupName: String) async throws(LogsWriteError) {
        do {
            try await client.createLogGroup(name: logGroupName)
        } catch {
            throw Self.classify(error)
        }
    }

    func createLogStream(group logGroupName: String, stream logStreamName: String) async throws(LogsWriteError) {
        do {
            try await client.createLogStream(group: logGroupName, stream: logStreamName)
        } catch {
            throw Self.classify(error)
        }
    }

    func putRetentionPolicy(group logGroupName: String, days retentionInDays: Int) async throws(LogsWriteError) {
        do {
            try await client.putRetentionPolicy(group: logGroupName, days: retentionInDays)
        } catch {
            throw Self.classify(error)
        }
    }

    func putLogEvents(
        group logGroupName: String,
        stream logStreamName: String,
        events: [EMFLogEvent]
    ) async throws(LogsWriteError) -> PutLogEventsOutcome {
        // Messages are shared, not copied: slices of the conversion's buffer.
        let input = events.map {
            InputLogEvent(
                timestampMilliseconds: $0.timestampMilliseconds,
                message: $0.message,
                messageIsEscaped: $0.messageEncoding == .jsonStringContent
            )
        }
        do {
            let response = try await client.putLogEvents(
                group: logGroupName,
                stream: logStreamName,
                events: input,
                emf: true
            )
            return PutLogEventsOutcome(
                rejectedLogEventsInfo: response.rejectedLogEventsInfo.map {
                    EMFDelivery.RejectedLogEventsInfo(
                        tooNewLogEventStartIndex: $0.tooNewLogEventStartIndex,
                        tooOldLogEventEndIndex: $0.tooOldLogEventEndIndex,
                        expiredLogEventEndIndex: $0.expiredLogEventEndIndex
                    )
                }
            )
        } catch let error where error.serviceCode == "DataAlreadyAcceptedException" {
            // A retry of a batch the service already stored: it is delivered.
            return .accepted
        } catch {
            throw Self.classify(error)
        }
    }

    /// Maps an ``AWSError`` onto the classes delivery acts on.
    static func classify(_ error: AWSError) -> LogsWriteError {
        let code: LogsWriteError.Code
        switch error.serviceCode {
        case "ResourceNotFoundException": code = .resourceNotFound
        case "ResourceAlreadyExistsException": code = .alreadyExists
        case "InvalidParameterException": code = .invalidParameter
        case "AccessDeniedException": code = .accessDenied
        case "ServiceUnavailableException", "OperationAbortedException": code = .serviceUnavailable
        default:
            if error.isThrottling {
                code = .throttled
            } else if error.isAuthFailure || error.isExpiredToken || error.code == .credentialsNotFound {
                code = .unauthorized
            } else if let status = error.status, status >= 500 {
                code = .serviceUnavailable
            } else if [.transport, .timeout, .credentialProvider, .invalidResponse].contains(error.code) {
                // A credential endpoint that is briefly unreachable is as transient as the network.
                code = .transport
            } else {
                code = .clientError
            }
        }
        return LogsWriteError(
            code: code,
            message: error.description,
            awsErrorCode: error.serviceCode,
            httpStatus: error.status
        )
    }
}
