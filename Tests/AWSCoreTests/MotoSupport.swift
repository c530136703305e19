import AWSCore
import AWSTesting
import Testing

/// The moto server of the enclosing ``MotoIntegrationTests`` suite.
enum MotoContext {
    @TaskLocal static var current: MotoServer?

    static var moto: MotoServer {
        get throws {
            guard let current else { throw TestingError("not inside a .motoServer suite") }
            return current
        }
    }
}

/// Starts one moto server (auth on) around a whole suite and stops it afterwards, also when tests fail.
struct MotoServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withMotoServer { moto in
            try await MotoContext.$current.withValue(moto) { try await function() }
        }
    }
}

extension Trait where Self == MotoServerTrait {
    static var motoServer: Self { MotoServerTrait() }
}

/// All tests against moto: one server for all of them, signature checking on.
@Suite(.motoServer, .serialized)
struct MotoIntegrationTests {}

/// A name unique within a test run.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
}
