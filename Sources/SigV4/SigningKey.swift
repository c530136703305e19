internal import Crypto
internal import Synchronization

/// HMAC-SHA256 (RFC 2104) over swift-crypto's `SHA256`, with the key's inner and outer pads absorbed once.
///
/// A SigV4 signature is one HMAC with the derived signing key, so keeping the padded states saves two SHA-256
/// compressions per request; `SHA256` copies are copy-on-write, so each use copies the 100-byte state once.
struct HMACSHA256Key {
    private let inner: SHA256
    private let outer: SHA256

    init(key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: 64)
        if key.count > 64 {
            var hasher = SHA256()
            hasher.update(bufferPointer: key)
            for (i, byte) in hasher.finalize().enumerated() { block[i] = byte }
        } else {
            for (i, byte) in key.enumerated() { block[i] = byte }
        }
        var inner = SHA256()
        var outer = SHA256()
        var pad = block.map { $0 ^ 0x36 }
        pad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        pad = block.map { $0 ^ 0x5C }
        pad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    init(key: [UInt8]) {
        self = key.withUnsafeBytes { HMACSHA256Key(key: $0) }
    }

    /// The 32-byte MAC of `message`, passed to `body` without leaving the stack.
    @inline(__always)
    func authenticate<R>(_ message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var innerHasher = inner
        innerHasher.update(bufferPointer: message)
        let innerDigest = innerHasher.finalize()
        var outerHasher = outer
        innerDigest.withUnsafeBytes { outerHasher.update(bufferPointer: $0) }
        return outerHasher.finalize().withUnsafeBytes(body)
    }

    /// The 32-byte MAC of `message` as an array (key derivation).
    func authenticate(_ message: String) -> [UInt8] {
        var message = message
        return message.withUTF8 { utf8 in
            authenticate(UnsafeRawBufferPointer(utf8)) { Array($0) }
        }
    }
}

/// The key that signs requests for one access key, day, region and service, ready for use.
///
/// `@unchecked Sendable`: both stored properties are immutable after `init`; the `SHA256` values inside
/// ``HMACSHA256Key`` are only ever copied (a copy-on-write copy reads the shared state, never writes it).
final class SigningKey: @unchecked Sendable {
    let hmac: HMACSHA256Key
    /// `yyyyMMdd/region/service/aws4_request`
    let scope: [UInt8]

    init(secretAccessKey: String, day: String, region: String, service: String) {
        let kDate = HMACSHA256Key(key: Array(("AWS4" + secretAccessKey).utf8)).authenticate(day)
        let kRegion = HMACSHA256Key(key: kDate).authenticate(region)
        let kService = HMACSHA256Key(key: kRegion).authenticate(service)
        let kSigning = HMACSHA256Key(key: kService).authenticate("aws4_request")
        self.hmac = HMACSHA256Key(key: kSigning)
        self.scope = Array("\(day)/\(region)/\(service)/aws4_request".utf8)
    }
}

/// A small process-wide cache of derived signing keys, keyed by (secret, day, region, service).
///
/// The HMAC chain costs four HMACs; in steady state every request of a day hits the cache, whether the caller keeps
/// one ``AWSSigner`` or makes one per request. Bounded: the oldest entry makes way when it is full.
final class SigningKeyCache: Sendable {
    static let shared = SigningKeyCache(capacity: 16)

    private struct Entry {
        var secretAccessKey: String
        var day: Int64
        var region: String
        var service: String
        var key: SigningKey
    }

    private struct State {
        var entries: [Entry] = []
        var next = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func key(
        secretAccessKey: String,
        day: Int64,
        dayString: () -> String,
        region: String,
        service: String
    ) -> SigningKey {
        let cached: SigningKey? = state.withLock { state in
            for entry in state.entries
            where entry.day == day && entry.secretAccessKey == secretAccessKey && entry.region == region
                && entry.service == service
            {
                return entry.key
            }
            return nil
        }
        if let cached { return cached }
        // Derive outside the lock; two threads racing on a new day both derive the same key, harmlessly.
        let key = SigningKey(secretAccessKey: secretAccessKey, day: dayString(), region: region, service: service)
        let entry = Entry(secretAccessKey: secretAccessKey, day: day, region: region, service: service, key: key)
        let capacity = self.capacity
        state.withLock { state in
            if state.entries.count < capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.next] = entry
                state.next = (state.next + 1) % capacity
            }
        }
        return key
    }
}
