import CLibCrypto

/// SHA-256 (FIPS 180-4) for stable ids and content fingerprints, computed by libcrypto
/// (OpenSSL, which libcurl links already; docs/ARCHITECTURE.md, Dependencies and their cost).
public enum SHA256 {
    /// Bytes in a digest.
    public static let byteCount = 32

    /// The 32-byte digest of `bytes`.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        withContiguousBytes(bytes) { digest(of: $0) }
    }

    /// Lower-case hex digest of the UTF-8 of `text`.
    public static func hex(_ text: String) -> String {
        var text = text
        return hex(text.withUTF8 { digest(of: UnsafeRawBufferPointer($0)) }, digits: byteCount * 2)
    }

    /// The first `digits` (at most 64) lower-case hex digits of the digest of `bytes`.
    public static func hex(bytes: [UInt8], digits: Int) -> String {
        hex(bytes.withUnsafeBytes { digest(of: $0) }, digits: digits)
    }

    private static func hex(_ digest: [UInt8], digits: Int) -> String {
        let digits = min(max(digits, 0), byteCount * 2)
        // Written in place: every alert id is one (an array per byte cost more than the hash).
        return String(unsafeUninitializedCapacity: digits) { output in
            for index in 0..<digits {
                let byte = digest[index / 2]
                output[index] = hexDigit(index % 2 == 0 ? byte >> 4 : byte & 0xF)
            }
            return digits
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    private static func digest(of input: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { output, count in
            // Only a libcrypto without its default provider fails here, and then no id could be made.
            precondition(Method.shared.digest(input, into: output.baseAddress!), "libcrypto cannot compute SHA-256")
            count = byteCount
        }
    }

    /// libcrypto's SHA-256, looked up once. OpenSSL 3's one-shot `SHA256()` looks the
    /// algorithm up in its provider on every call, which cost more than hashing an alert id's
    /// key (a backtest makes one id per match).
    private final class Method: @unchecked Sendable {
        static let shared = Method()

        // Immutable once made, and libcrypto's fetched methods may be shared by threads.
        private let method: OpaquePointer?

        private init() { method = EVP_MD_fetch(nil, "SHA256", nil) }

        func digest(_ input: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) -> Bool {
            guard let method else {
                return CLibCrypto.SHA256(input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, output) != nil
            }
            var length: UInt32 = 0
            return EVP_Digest(input.baseAddress, input.count, output, &length, method, nil) == 1 && length == UInt32(byteCount)
        }
    }
}

/// HMAC (RFC 2104) over SHA-256, for signing webhooks, computed by libcrypto.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let keyLength = Int32(key.count)
        // An empty key must still be a pointer: libcrypto reads a null key as "no key set".
        let key = key.isEmpty ? [0] : key
        return [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { output, count in
            var length: UInt32 = 0
            let result = key.withUnsafeBytes { key in
                message.withUnsafeBytes { message in
                    HMAC(EVP_sha256(), key.baseAddress, keyLength, message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         message.count, output.baseAddress, &length)
                }
            }
            precondition(result != nil && length == UInt32(SHA256.byteCount), "libcrypto cannot compute HMAC-SHA256")
            count = SHA256.byteCount
        }
    }
}

/// `body` over the bytes of `bytes`, copied only when they are not contiguous already.
private func withContiguousBytes<Bytes: Sequence, Result>(_ bytes: Bytes, _ body: (UnsafeRawBufferPointer) -> Result) -> Result
where Bytes.Element == UInt8 {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
    return Array(bytes).withUnsafeBytes(body)
}
