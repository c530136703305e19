import ArgumentParser
import NIOCore
import NIOPosix

// Swift Concurrency's jobs run on NIO's event loops (one thread per core), so a scrape's I/O, its parsing and its
// conversion stay on one thread instead of hopping between the cooperative pool and the event loops. This must
// happen on the main thread before any task runs.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// `AsyncParsableCommand.main`, called from an `async` function: top-level code would resolve `main` and `run` to
/// their synchronous overloads, which only print the help of asynchronous subcommands.
func runPromwatch() async {
    await Promwatch.main(nil)
}

await runPromwatch()
