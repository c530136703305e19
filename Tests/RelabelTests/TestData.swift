#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Test fixtures in `Tests/RelabelTests/Data`, read relative to this source file (the folder is excluded from the
/// target, so no resource bundle is needed).
enum TestData {
    struct Missing: Error { var path: String }

    static func lines(_ name: String) throws -> [String] {
        let path = directory + "/Data/" + name
        guard let bytes = readFile(path) else { throw Missing(path: path) }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    private static var directory: String {
        let file = #filePath
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return String(file[..<slash])
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n <= 0 { break }
            result += chunk[0..<n]
        }
        return result
    }
}

/// Go's `strconv.Unquote` for double-quoted strings, returning bytes (the text may be invalid UTF-8).
enum GoQuoted {
    static func unquote(_ quoted: String) -> [UInt8]? {
        let b = Array(quoted.utf8)
        guard b.count >= 2, b.first == UInt8(ascii: "\""), b.last == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        var i = 1
        let end = b.count - 1
        func hex(_ c: UInt8) -> UInt32? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
        func appendScalar(_ v: UInt32) -> Bool {
            guard let scalar = Unicode.Scalar(v) else { return false }
            out += Array(String(Character(scalar)).utf8)
            return true
        }
        while i < end {
            let c = b[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < end else { return nil }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e)
            case UInt8(ascii: "x"):
                guard i + 2 <= end, let h = hex(b[i]), let l = hex(b[i + 1]) else { return nil }
                out.append(UInt8(h * 16 + l))
                i += 2
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "u") ? 4 : 8
                guard i + n <= end else { return nil }
                var v: UInt32 = 0
                for k in 0..<n {
                    guard let d = hex(b[i + k]) else { return nil }
                    v = v * 16 + d
                }
                i += n
                guard appendScalar(v) else { return nil }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard i + 2 <= end else { return nil }
                let v = UInt32(e - 48) * 64 + UInt32(b[i] - 48) * 8 + UInt32(b[i + 1] - 48)
                out.append(UInt8(truncatingIfNeeded: v))
                i += 2
            default:
                return nil
            }
        }
        return out
    }
}
