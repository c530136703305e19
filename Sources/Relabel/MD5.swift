/// MD5 (RFC 1321), only for `hashmod`, which Prometheus defines on MD5. Hand-written so the pure core has no
/// dependency; not for security. Works on the stack: no allocation.
enum MD5 {
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// floor(abs(sin(i + 1)) × 2^32)
    private static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// The 16-byte digest as four little-endian words (a, b, c, d).
    static func digest(_ message: UnsafeBufferPointer<UInt8>) -> (UInt32, UInt32, UInt32, UInt32) {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
        let fullBlocks = message.count / 64
        for block in 0..<fullBlocks {
            process(UnsafeBufferPointer(rebasing: message[(block * 64)..<(block * 64 + 64)]), &state)
        }
        // Padding: 0x80, zeros, then the bit length (little-endian) in the last 8 bytes of one or two blocks.
        let rest = message.count - fullBlocks * 64
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            tail.initialize(repeating: 0)
            for i in 0..<rest { tail[i] = message[fullBlocks * 64 + i] }
            tail[rest] = 0x80
            let tailLength = rest + 9 <= 64 ? 64 : 128
            let bits = UInt64(message.count) &* 8
            for i in 0..<8 { tail[tailLength - 8 + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
            let view = UnsafeBufferPointer(tail)
            process(UnsafeBufferPointer(rebasing: view[0..<64]), &state)
            if tailLength == 128 { process(UnsafeBufferPointer(rebasing: view[64..<128]), &state) }
        }
        return state
    }

    /// Prometheus's `hashmod` value: the last 8 digest bytes as a big-endian integer, modulo `modulus`.
    static func hashMod(_ message: UnsafeBufferPointer<UInt8>, modulus: UInt64) -> UInt64 {
        let (_, _, c, d) = digest(message)
        // Digest bytes 8...15 are c then d, each stored little-endian.
        let high = UInt64(c.byteSwapped)
        let low = UInt64(d.byteSwapped)
        return (high << 32 | low) % modulus
    }

    private static func process(_ block: UnsafeBufferPointer<UInt8>, _ state: inout (UInt32, UInt32, UInt32, UInt32)) {
        var a = state.0
        var b = state.1
        var c = state.2
        var d = state.3
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16:
                f = (b & c) | (~b & d)
                g = i
            case 16..<32:
                f = (d & b) | (~d & c)
                g = (5 * i + 1) % 16
            case 32..<48:
                f = b ^ c ^ d
                g = (3 * i + 5) % 16
            default:
                f = c ^ (b | ~d)
                g = (7 * i) % 16
            }
            let word =
                UInt32(block[4 * g]) | UInt32(block[4 * g + 1]) << 8 | UInt32(block[4 * g + 2]) << 16
                | UInt32(block[4 * g + 3]) << 24
            f = f &+ a &+ constants[i] &+ word
            a = d
            d = c
            c = b
            let s = shifts[i]
            b = b &+ (f << s | f >> (32 - s))
        }
        state.0 &+= a
        state.1 &+= b
        state.2 &+= c
        state.3 &+= d
    }

    /// Lower-case hex of the digest (for tests).
    static func hex(_ message: [UInt8]) -> String {
        let (a, b, c, d) = message.withUnsafeBufferPointer { digest($0) }
        var out = ""
        for word in [a, b, c, d] {
            for i in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))
                out += String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
            }
        }
        return out
    }
}
