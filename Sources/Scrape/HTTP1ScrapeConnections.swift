import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import Synchronization

/// Plain-HTTP scrapes over promwatch's own kept-alive HTTP/1.1 connections, one exchange at a time per connection.
///
/// Why not AsyncHTTPClient for these: per request it parses the URL with Foundation, runs a connection-pool state
/// machine, a request bag and a future per body part, which together cost more CPU than parsing the body. Most
/// targets in a cluster are plain `http://` with nothing but a GET to do; this client does only that. `https`
/// targets, and responses that redirect, go through AsyncHTTPClient (see ``Scraper``).
///
/// Each endpoint (`host:port`) keeps up to ``maximumIdlePerEndpoint`` idle connections, closed after
/// ``idleTimeout`` unused (Prometheus keeps them 5 minutes too). A reused connection that the target had closed
/// meanwhile is retried once on a new one, when no byte of the response had arrived.
final class HTTP1ScrapeConnections: Sendable {
    struct Endpoint: Hashable, Sendable {
        var host: String
        var port: Int
    }

    /// What an exchange ended with, when it did not fail.
    enum Outcome: Sendable {
        case report(ScrapeReport)
        /// A 3xx with a `Location`: the caller follows it with a client that handles redirects.
        case redirect
    }

    static let maximumIdlePerEndpoint = 4
    static let idleTimeout: TimeAmount = .minutes(5)

    private let eventLoopGroup: any EventLoopGroup
    private let decompressionLimit: NIOHTTPDecompression.DecompressionLimit
    private let idle = Mutex<[Endpoint: [Connection]]>([:])
    private let opened = Atomic<Int>(0)

    init(eventLoopGroup: any EventLoopGroup, decompressionLimit: NIOHTTPDecompression.DecompressionLimit) {
        self.eventLoopGroup = eventLoopGroup
        self.decompressionLimit = decompressionLimit
    }

    /// Connections opened so far (for tests: reuse shows as no new ones).
    var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    /// Runs one GET exchange with `endpoint`: `head` is the request (its `Host` set), `parser` takes the response.
    /// The whole exchange, connecting included, must end by `deadline`.
    func exchange(
        endpoint: Endpoint,
        head: HTTPRequestHead,
        parser: ScrapeResponseParser,
        deadline: NIODeadline,
        timeoutDescription: String
    ) async throws(ScrapeError) -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            // A retry takes a new connection: another idle one may be just as stale.
            let (connection, reused) = try await connection(
                to: endpoint,
                reusing: attempt == 1,
                deadline: deadline,
                timeoutDescription: timeoutDescription
            )
            let promise = connection.channel.eventLoop.makePromise(of: Outcome.self)
            let handler = connection.handler
            connection.channel.eventLoop.execute {
                handler.value.start(
                    head: head,
                    parser: parser,
                    promise: promise,
                    deadline: deadline,
                    timeoutDescription: timeoutDescription,
                    onReusable: { [weak self] in self?.release(connection, endpoint: endpoint) }
                )
            }
            do {
                return try await withTaskCancellationHandler {
                    try await promise.futureResult.get()
                } onCancel: {
                    connection.channel.eventLoop.execute {
                        handler.value.fail(.scrape(ScrapeError(.connection, "scrape cancelled")), ifCompleting: promise)
                    }
                }
            } catch ExchangeFailure.closedBeforeResponse {
                // A kept-alive connection the target had closed: once more on a new connection.
                if reused, attempt == 1 { continue }
                throw ScrapeError(.connection, "the target closed the connection without a response")
            } catch ExchangeFailure.scrape(let error) {
                throw error
            } catch {
                throw ScrapeError(.connection, "\(error)")
            }
        }
    }

    /// Closes every idle connection.
    func closeIdleConnections() {
        let all = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0 }
        }
        for connection in all { connection.channel.close(promise: nil) }
    }

    private func connection(
        to endpoint: Endpoint,
        reusing: Bool,
        deadline: NIODeadline,
        timeoutDescription: String
    ) async throws(ScrapeError) -> (Connection, reused: Bool) {
        while reusing, let connection = idle.withLock({ $0[endpoint]?.popLast() }) {
            if connection.channel.isActive { return (connection, true) }
        }
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ScrapeError(.timeout, timeoutDescription) }
        let limit = decompressionLimit
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(remaining)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(NIOHTTPResponseDecompressor(limit: limit))
                    try pipeline.addHandler(ScrapeExchangeHandler())
                }
            }
        do {
            let channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
            opened.add(1, ordering: .relaxed)
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: ScrapeExchangeHandler.self),
                    eventLoop: channel.eventLoop
                )
            }.get()
            return (Connection(channel: channel, handler: handler), false)
        } catch ChannelError.connectTimeout(_) {
            throw ScrapeError(.timeout, timeoutDescription)
        } catch {
            throw ScrapeError(.connection, "\(error)")
        }
    }

    private func release(_ connection: Connection, endpoint: Endpoint) {
        let keep = idle.withLock { idle -> Bool in
            guard idle[endpoint, default: []].count < Self.maximumIdlePerEndpoint else { return false }
            idle[endpoint, default: []].append(connection)
            return true
        }
        if !keep { connection.channel.close(promise: nil) }
    }
}

/// An open connection and its exchange handler (used only on the connection's event loop).
struct Connection: Sendable {
    var channel: any Channel
    var handler: NIOLoopBound<ScrapeExchangeHandler>
}

/// Why an exchange failed.
enum ExchangeFailure: Error {
    case scrape(ScrapeError)
    /// The connection closed before any byte of the response: a reused connection may be retried.
    case closedBeforeResponse
}

/// Runs one request/response exchange at a time on its connection and feeds the response to a
/// ``ScrapeResponseParser`` as it arrives. Closes the connection after any failure, a response that is not kept
/// alive, or ``HTTP1ScrapeConnections/idleTimeout`` idle.
final class ScrapeExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private struct Exchange {
        var parser: ScrapeResponseParser
        var promise: EventLoopPromise<HTTP1ScrapeConnections.Outcome>
        var timeout: Scheduled<Void>?
        var onReusable: @Sendable () -> Void
        var responseStarted = false
        var keepAlive = true
        /// The head asked to be followed elsewhere: the body is skipped.
        var redirect = false
    }

    private var exchange: Exchange?
    private var context: ChannelHandlerContext?
    private var idleClose: Scheduled<Void>?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func start(
        head: HTTPRequestHead,
        parser: ScrapeResponseParser,
        promise: EventLoopPromise<HTTP1ScrapeConnections.Outcome>,
        deadline: NIODeadline,
        timeoutDescription: String,
        onReusable: @escaping @Sendable () -> Void
    ) {
        idleClose?.cancel()
        idleClose = nil
        guard let context, context.channel.isActive else {
            promise.fail(ExchangeFailure.closedBeforeResponse)
            return
        }
        precondition(exchange == nil, "one exchange at a time")
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(deadline: deadline) {
            this.value.fail(.scrape(ScrapeError(.timeout, timeoutDescription)))
        }
        exchange = Exchange(parser: parser, promise: promise, timeout: timeout, onReusable: onReusable)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Ends the exchange in progress (if any; with `promise`, only if it is that one) with `failure` and closes the
    /// connection. A scrape cancelled just after its exchange ended must not fail the connection's next one.
    func fail(_ failure: ExchangeFailure, ifCompleting promise: EventLoopPromise<HTTP1ScrapeConnections.Outcome>? = nil)
    {
        guard var current = exchange else { return }
        if let promise, current.promise.futureResult !== promise.futureResult { return }
        exchange = nil
        current.timeout?.cancel()
        current.timeout = nil
        current.promise.fail(failure)
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard exchange != nil else {
            // A response nobody asked for (or the rest of one abandoned): the connection's state is unknown.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            exchange!.responseStarted = true
            exchange!.keepAlive = head.isKeepAlive
            if (300..<400).contains(head.status.code), head.headers.contains(name: "Location") {
                exchange!.redirect = true
                return
            }
            do {
                try exchange!.parser.begin(head)
            } catch {
                fail(.scrape(error))
            }
        case .body(let buffer):
            guard !exchange!.redirect else { return }
            do {
                try exchange!.parser.consume(buffer)
            } catch {
                fail(.scrape(error))
            }
        case .end:
            guard let current = exchange else { return }
            exchange = nil
            current.timeout?.cancel()
            let outcome: Result<HTTP1ScrapeConnections.Outcome, ExchangeFailure>
            if current.redirect {
                outcome = .success(.redirect)
            } else {
                do {
                    outcome = .success(.report(try current.parser.finish()))
                } catch {
                    outcome = .failure(.scrape(error))
                }
            }
            if current.keepAlive {
                let channel = context.channel
                idleClose = context.eventLoop.scheduleTask(in: HTTP1ScrapeConnections.idleTimeout) {
                    channel.close(promise: nil)
                }
                current.onReusable()
            } else {
                context.close(promise: nil)
            }
            current.promise.completeWith(outcome.mapError { $0 as any Error })
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleClose?.cancel()
        idleClose = nil
        if let current = exchange {
            fail(
                current.responseStarted
                    ? .scrape(ScrapeError(.connection, "the target closed the connection mid-response"))
                    : .closedBeforeResponse
            )
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if exchange != nil {
            fail(.scrape(ScrapeError(.connection, "\(error)")))
        } else {
            context.close(promise: nil)
        }
    }
}
