// The rounds of secure aggregation (Bonawitz et al. 2017, semi-honest variant), with every
// message serialized to bytes and parsed back by its receiver, so that the byte counts are those
// of the real messages. Public entry point: `SecureAggregation.run` (SecureAggregation.swift).

import Crypto
import Foundation

// MARK: - Wire formats and their sizes

extension SecureAggregation {
    /// Message layouts (all integers little-endian) and their sizes in bytes. With
    /// n1 = |U1| (devices that advertised keys), n2 = |U2| (sent shares), n3 = |U3| (sent masked
    /// inputs), d the dimension and b the ring bits:
    ///
    /// | message (direction, round)              | bytes                                   |
    /// |-----------------------------------------|-----------------------------------------|
    /// | AdvertiseKeys (up, 0)                   | 8 + 2·32 = 72                           |
    /// | key list (down, 1)                      | 8 + 4 + n1·(4 + 64) = 12 + 68·n1         |
    /// | ShareKeys (up, 1)                       | 8 + 4 + (n1 − 1)·(4 + 116) = 12 + 120·(n1 − 1) |
    /// | routed ciphertexts (down, 2)            | 8 + 4 + (n2 − 1)·(4 + 116) = 12 + 120·(n2 − 1) |
    /// | masked input (up, 2)                    | 8 + ⌈d·b/8⌉                             |
    /// | survivor list (down, 3)                 | 8 + 4 + 4·n3                            |
    /// | unmasking shares (up, 3)                | 8 + 4 + n2·(4 + 40) = 12 + 44·n2         |
    /// | plain fixed-point upload (comparison)   | 8 + ⌈d·b/8⌉                             |
    ///
    /// A masked input packs its d ring elements in b bits each, least significant bit first
    /// (for b = 32 or 64, plain little-endian words); padding bits are zero.
    /// Header (8): UInt32 sender (device index; the server is 0xFFFFFFFF) + UInt32 round.
    /// Lists carry a UInt32 count and a UInt32 device id per entry. A Shamir share of a 32-byte
    /// secret is 5 field elements of GF(2^61 − 1), 8 bytes each (40). An encrypted share pair is
    /// AES-256-GCM of u ‖ v ‖ share(s_u^SK) ‖ share(b_u) (4 + 4 + 40 + 40 = 88 bytes):
    /// 12-byte nonce + 88 + 16-byte tag = 116. A device sends ShareKeys entries to every other
    /// member of U1 (including those that later vanish) and receives ciphertexts from every other
    /// member of U2. A survivor returns one share per member of U2 (its own included): of s_v^SK
    /// if v dropped after ShareKeys, of b_v if v survived.
    public enum Wire {
        public static let headerBytes = 8
        public static let countBytes = 4
        public static let idBytes = 4
        public static let publicKeyBytes = 32
        /// Self-mask seeds and X25519 private keys are 32 bytes.
        public static let secretBytes = 32
        /// One Shamir share of a 32-byte secret: 5 field elements × 8 bytes = 40.
        public static let shareBytes = 8 * ShamirSecretSharing.elements(for: secretBytes)
        /// u ‖ v ‖ share(s_u^SK) ‖ share(b_u) = 88.
        public static let sharePairPlaintextBytes = 2 * idBytes + 2 * shareBytes
        public static let aeadNonceBytes = 12
        public static let aeadTagBytes = 16
        /// Encrypted share pair: nonce + plaintext + tag = 116.
        public static let sharePairCiphertextBytes = aeadNonceBytes + sharePairPlaintextBytes + aeadTagBytes

        /// Round 0, up: header + c^PK + s^PK = 72.
        public static func advertiseKeys() -> Int { headerBytes + 2 * publicKeyBytes }
        /// Round 1, down: the n1 advertised key pairs = 12 + 68·n1.
        public static func keyList(advertisers n1: Int) -> Int {
            headerBytes + countBytes + n1 * (idBytes + 2 * publicKeyBytes)
        }
        /// Round 1, up: one encrypted share pair per other advertiser = 12 + 120·(n1 − 1).
        public static func shareKeys(advertisers n1: Int) -> Int {
            headerBytes + countBytes + max(n1 - 1, 0) * (idBytes + sharePairCiphertextBytes)
        }
        /// Round 2, down: the ciphertexts from the other n2 − 1 sharers = 12 + 120·(n2 − 1).
        public static func routedShares(sharers n2: Int) -> Int {
            headerBytes + countBytes + max(n2 - 1, 0) * (idBytes + sharePairCiphertextBytes)
        }
        /// Round 2, up: the masked vector = 8 + ⌈d·b/8⌉.
        public static func maskedInput(dimension d: Int, ringBits b: Int) -> Int {
            headerBytes + CodecWire.packedBytes(count: d, bitsEach: max(b, 0))
        }
        /// Round 3, down: the survivor ids = 12 + 4·n3.
        public static func survivorList(survivors n3: Int) -> Int { headerBytes + countBytes + n3 * idBytes }
        /// Round 3, up: one share per sharer = 12 + 44·n2.
        public static func unmaskingShares(sharers n2: Int) -> Int {
            headerBytes + countBytes + n2 * (idBytes + shareBytes)
        }
        /// A plain (unmasked) upload of the same fixed-point vector = 8 + ⌈d·b/8⌉.
        public static func plainUpdate(dimension d: Int, ringBits b: Int) -> Int { maskedInput(dimension: d, ringBits: b) }
    }

    /// The cost `run` would report, computed from the `Wire` formulas and the operation counts
    /// below without any cryptography (usable for cohorts too large to simulate, e.g. n = 1024,
    /// d = 2^20). Per device, with n1, n2, n3 as in `Wire` and D = n2 − n3:
    /// - AdvertiseKeys: 2 key generations;
    /// - ShareKeys: 2·n1 share computations, n1 − 1 key agreements, n1 − 1 AEAD seals;
    /// - MaskedInputCollection: n2 − 1 key agreements, n2 PRG expansions (each of d words of
    ///   4 bytes for b <= 32, 8 bytes above);
    /// - Unmasking: n2 − 1 AEAD opens.
    /// Server (Unmasking): n2 reconstructions, D public-key checks (key generations),
    /// D·n3 key agreements, n3 + D·n3 PRG expansions.
    /// Rounds stop where `run` aborts (fewer than t devices left); an invalid configuration gives
    /// no rounds.
    ///
    /// Without dropouts a device uploads 72 + (12 + 120(n − 1)) + (8 + d·b/8) + (12 + 44n)
    /// = 164n − 16 + ⌈d·b/8⌉ bytes. For n = 1024, d = 2^20, b = 32 that is 4,362,224 bytes:
    /// 1.040× the plain 32-bit fixed-point upload (8 + 4d), 2.080× a plain 16-bit upload (2d, the
    /// baseline of the 1.73× that Bonawitz et al. 2017 report for 16-bit inputs, 2^10 users and
    /// 2^20 dimensions), and 1.705× with 16-bit levels in the bit-packed 26-bit ring (levels 32767,
    /// ringBits 26: the smallest that holds 2^10 sums of 16-bit values), in line with the paper's
    /// figure. 8-bit levels in the 18-bit ring cost 2.410× a plain 8-bit upload (d bytes).
    public static func predictedCost(
        cohortSize n: Int, dimension d: Int, config: SecureAggregationConfig,
        dropBeforeShareKeys: Set<Int> = [], dropAfterShareKeys: Set<Int> = []
    ) -> SecureAggregationCost {
        let b = config.ringBits
        let plain = Wire.plainUpdate(dimension: d, ringBits: b)
        let devices = max(n, 0)
        guard config.validate(cohortSize: n) == nil, d >= 0,
            dropBeforeShareKeys.union(dropAfterShareKeys).allSatisfy({ (0..<n).contains($0) })
        else { return SecureAggregationCost(devices: devices, plainUpdateBytes: plain) }
        let t = config.threshold
        let u1 = Array(0..<n)
        let u2 = u1.filter { !dropBeforeShareKeys.contains($0) }
        let u3 = u2.filter { !dropAfterShareKeys.contains($0) }
        let (n1, n2, n3) = (u1.count, u2.count, u3.count)
        let dropped = n2 - n3

        var r0 = SecureAggregationRoundCost(round: .advertiseKeys, devices: n)
        for u in u1 {
            r0.bytesUpPerDevice[u] = Wire.advertiseKeys()
            r0.deviceOperations[u].keyGenerations = 2
        }
        var rounds = [r0]
        var r1 = SecureAggregationRoundCost(round: .shareKeys, devices: n)
        for u in u2 {
            r1.bytesDownPerDevice[u] = Wire.keyList(advertisers: n1)
            r1.bytesUpPerDevice[u] = Wire.shareKeys(advertisers: n1)
            r1.deviceOperations[u] = SecureAggregationOperations(
                keyAgreements: n1 - 1, shareComputations: 2 * n1, aeadOperations: n1 - 1)
        }
        rounds.append(r1)
        guard n2 >= t else { return SecureAggregationCost(devices: n, plainUpdateBytes: plain, rounds: rounds) }
        var r2 = SecureAggregationRoundCost(round: .maskedInputCollection, devices: n)
        for u in u3 {
            r2.bytesDownPerDevice[u] = Wire.routedShares(sharers: n2)
            r2.bytesUpPerDevice[u] = Wire.maskedInput(dimension: d, ringBits: b)
            r2.deviceOperations[u] = SecureAggregationOperations(keyAgreements: n2 - 1, prgExpansions: n2)
        }
        rounds.append(r2)
        guard n3 >= t else { return SecureAggregationCost(devices: n, plainUpdateBytes: plain, rounds: rounds) }
        var r3 = SecureAggregationRoundCost(round: .unmasking, devices: n)
        for u in u3 {
            r3.bytesDownPerDevice[u] = Wire.survivorList(survivors: n3)
            r3.bytesUpPerDevice[u] = Wire.unmaskingShares(sharers: n2)
            r3.deviceOperations[u] = SecureAggregationOperations(aeadOperations: n2 - 1)
        }
        r3.serverOperations = SecureAggregationOperations(
            keyGenerations: dropped, keyAgreements: dropped * n3, prgExpansions: n3 + dropped * n3,
            reconstructions: n2)
        rounds.append(r3)
        return SecureAggregationCost(devices: n, plainUpdateBytes: plain, rounds: rounds)
    }
}

// MARK: - Test hook

/// Internal record of a run, for tests (e.g. the uniformity of masked inputs).
struct SecureAggregationTrace {
    var recordMaskedInputs: Bool
    /// y_u as the server received it (ring elements), by device.
    var maskedInputs: [Int: [UInt64]] = [:]
}

// MARK: - Deterministic key material (simulation only)

/// Key derivation, share encryption and randomness. All secrets come from HKDF-SHA256 of the run
/// seed with a (purpose, device) label, for reproducible simulation; this is NOT how production
/// keys must be made (they need system randomness and must never repeat across runs).
enum SecureAggregationCrypto {
    /// HKDF-SHA256 (RFC 5869) with a 32-byte output, i.e. one expand block:
    /// PRK = HMAC-SHA256(salt, ikm), OKM = HMAC-SHA256(PRK, info ‖ 0x01). Written directly on
    /// swift-crypto's HMAC because `HKDF.deriveKey` is several times slower in debug builds; a
    /// test checks that both give the same key.
    static func hkdf(inputKeyMaterial ikm: [UInt8], salt: String, info: [UInt8]) -> SymmetricKey {
        let prk = HMAC<SHA256>.authenticationCode(for: ikm, using: SymmetricKey(data: Array(salt.utf8)))
        let okm = HMAC<SHA256>.authenticationCode(for: info + [0x01], using: SymmetricKey(data: Array(prk)))
        return SymmetricKey(data: Array(okm))
    }

    /// swift-crypto's own HKDF (`HKDF<SHA256>.deriveKey`), the reference `hkdf` is tested against.
    static func referenceHKDF(inputKeyMaterial ikm: [UInt8], salt: String, info: [UInt8]) -> [UInt8] {
        bytes(
            of: HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: ikm), salt: Array(salt.utf8), info: info, outputByteCount: 32))
    }

    /// For tests: the key devices a and b agree on for `purpose` as computed by a (`agreedKey`), by
    /// swift-crypto's `SharedSecret.hkdfDerivedSymmetricKey`, and by b.
    static func agreementCheck(seed: UInt64, a: Int, b: Int, purpose: Purpose) throws
        -> (ours: [UInt8], reference: [UInt8], reverse: [UInt8])
    {
        let label = purpose == .mask ? "s-key" : "c-key"
        let keyA = try privateKey(seed: seed, device: a, purpose: label)
        let keyB = try privateKey(seed: seed, device: b, purpose: label)
        let reference = try keyA.sharedSecretFromKeyAgreement(with: keyB.publicKey).hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: Array(purpose.rawValue.utf8), sharedInfo: [UInt8](), outputByteCount: 32)
        return (
            bytes(of: try agreedKey(keyA, keyB.publicKey, purpose: purpose)), bytes(of: reference),
            bytes(of: try agreedKey(keyB, keyA.publicKey, purpose: purpose))
        )
    }

    /// 32 bytes of key material for (seed, device, purpose): HKDF-SHA256(ikm = seed as 8 LE bytes,
    /// salt = "fedsim.secagg.v1", info = "purpose/device").
    static func derivedKey(seed: UInt64, device: Int, purpose: String) -> SymmetricKey {
        hkdf(inputKeyMaterial: littleEndianBytes(seed), salt: "fedsim.secagg.v1", info: Array("\(purpose)/\(device)".utf8))
    }

    /// An X25519 private key whose 32 raw bytes are `derivedKey(seed, device, purpose)`.
    static func privateKey(seed: UInt64, device: Int, purpose: String) throws -> Curve25519.KeyAgreement.PrivateKey {
        try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes(of: derivedKey(seed: seed, device: device, purpose: purpose)))
    }

    /// Salts separating the two uses of X25519 agreements.
    enum Purpose: String, Hashable {
        /// Pairwise mask seed s_uv = HKDF-SHA256(X25519(s_u^SK, s_v^PK)); symmetric in u and v.
        case mask = "fedsim.secagg.mask"
        /// AES-256-GCM key for share pairs = HKDF-SHA256(X25519(c_u^SK, c_v^PK)); the same for
        /// both directions, so the nonce carries the direction.
        case share = "fedsim.secagg.share"
    }

    /// HKDF-SHA256 of an X25519 agreement, salt = the purpose, empty info.
    static func agreedKey(
        _ privateKey: Curve25519.KeyAgreement.PrivateKey, _ publicKey: Curve25519.KeyAgreement.PublicKey, purpose: Purpose
    ) throws -> SymmetricKey {
        let secret = try privateKey.sharedSecretFromKeyAgreement(with: publicKey)
        return hkdf(inputKeyMaterial: secret.withUnsafeBytes { Array($0) }, salt: purpose.rawValue, info: [])
    }

    /// Counter nonce for sender → receiver: UInt32 sender ‖ UInt32 receiver ‖ 4 zero bytes. Each
    /// ordered pair encrypts once per run, so (key, nonce) never repeats within a run.
    static func nonce(sender: Int, receiver: Int) -> [UInt8] {
        littleEndianBytes(UInt32(truncatingIfNeeded: sender)) + littleEndianBytes(UInt32(truncatingIfNeeded: receiver))
            + [0, 0, 0, 0]
    }

    /// AES-GCM seal; output nonce ‖ ciphertext ‖ tag.
    static func seal(_ plaintext: [UInt8], key: SymmetricKey, sender: Int, receiver: Int) throws -> [UInt8] {
        let nonceBytes = nonce(sender: sender, receiver: receiver)
        let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: nonceBytes))
        return nonceBytes + Array(box.ciphertext) + Array(box.tag)
    }

    /// AES-GCM open of nonce ‖ ciphertext ‖ tag (authentication failure throws).
    static func open(_ sealed: [UInt8], key: SymmetricKey) throws -> [UInt8] {
        Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
    }

    static func bytes(of key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

/// The keystream behind the mask PRG and the DRBG: ChaCha20 (RFC 8439) under a 32-byte key,
/// obtained as the ciphertext of ChaChaPoly.seal over zero bytes, in chunks of at most 64 KiB
/// with nonce = chunk index (UInt64 LE in the last 8 nonce bytes); the Poly1305 tag is discarded.
enum SecureAggregationPRG {
    static let chunkBytes = 1 << 16
    static let zeroChunk = Data(count: chunkBytes)

    /// Calls `body(bytes, offset)` for consecutive keystream chunks covering `byteCount` bytes,
    /// starting at chunk `firstChunk`.
    static func keystream(
        key: SymmetricKey, byteCount: Int, firstChunk: UInt64 = 0, _ body: (UnsafeRawBufferPointer, Int) throws -> Void
    ) throws {
        var produced = 0
        var chunk = firstChunk
        while produced < byteCount {
            let length = min(chunkBytes, byteCount - produced)
            let nonce = [0, 0, 0, 0] + SecureAggregationCrypto.littleEndianBytes(chunk)
            let box = try ChaChaPoly.seal(zeroChunk.prefix(length), using: key, nonce: ChaChaPoly.Nonce(data: nonce))
            try box.ciphertext.withUnsafeBytes { try body($0, produced) }
            produced += length
            chunk &+= 1
        }
    }

    /// The keystream word size for ring Z_{2^b}: 4 bytes for b <= 32, else 8. A word reduced
    /// mod 2^b is uniform on the ring because 2^b divides 2^32 (or 2^64).
    static func wordBytes(ringBits b: Int) -> Int { b <= 32 ? 4 : 8 }

    /// The masked-input message: header, then the d ring elements (each < 2^b) packed in b bits,
    /// least significant bit first (`SecureAggregation.Wire`).
    static func packMaskedInput(_ y: [UInt64], ringBits b: Int, sender: UInt32) -> [UInt8] {
        let mask: UInt64 = b == 64 ? .max : (1 << UInt64(b)) - 1
        var payload = [UInt8](repeating: 0, count: CodecWire.packedBytes(count: y.count, bitsEach: b))
        payload.withUnsafeMutableBufferPointer { buffer in
            var w = CodecWriter(buffer)
            var bits = CodecBitWriter()
            for value in y {
                let v = value & mask
                // Fields wider than 32 bits go in two halves (the bit writer takes at most 32).
                if b > 32 {
                    bits.put(v & 0xFFFF_FFFF, width: 32, into: &w)
                    bits.put(v >> 32, width: b - 32, into: &w)
                } else {
                    bits.put(v, width: b, into: &w)
                }
            }
            bits.flush(into: &w)
        }
        var message = SecureAggregationWriter(
            sender: sender, round: .maskedInputCollection,
            capacity: SecureAggregation.Wire.maskedInput(dimension: y.count, ringBits: b))
        message.append(payload)
        return message.bytes
    }

    /// The d ring elements of a masked-input message (size checked by the caller).
    static func unpackMaskedInput(_ message: [UInt8], dimension d: Int, ringBits b: Int) -> [UInt64] {
        message.withUnsafeBufferPointer { buffer in
            var r = CodecBitReader(buffer.baseAddress! + SecureAggregation.Wire.headerBytes)
            return (0..<d).map { _ in
                b > 32 ? r.take(width: 32) | (r.take(width: b - 32) << 32) : r.take(width: b)
            }
        }
    }

    /// target[i] = target[i] ± words[i] (mod 2^64) for i < count, the words read as little-endian.
    @inline(__always)
    private static func add<Word: FixedWidthInteger & UnsignedInteger>(
        _ words: UnsafeMutablePointer<Word>, count: Int, to target: UnsafeMutablePointer<UInt64>, subtract: Bool
    ) {
        #if _endian(big)
            for i in 0..<count { words[i] = words[i].byteSwapped }
        #endif
        var i = 0
        if subtract {
            while i < count { target[i] = target[i] &- UInt64(words[i]); i += 1 }
        } else {
            while i < count { target[i] = target[i] &+ UInt64(words[i]); i += 1 }
        }
    }

    /// acc[i] = acc[i] ± PRG(seed)[i] (mod 2^64; callers reduce mod 2^b at the end, which is
    /// consistent because 2^b divides 2^64). PRG(seed)[i] is the i-th little-endian word of
    /// `wordBytes` (4 or 8) bytes of the keystream under key = seed. Each chunk is copied into one
    /// aligned scratch buffer and added with a plain loop: no per-element allocation.
    static func accumulate(seed: SymmetricKey, into acc: inout [UInt64], wordBytes: Int, subtract: Bool) throws {
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: chunkBytes, alignment: 8)
        defer { scratch.deallocate() }
        try acc.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            try keystream(key: seed, byteCount: out.count * wordBytes) { raw, offset in
                guard let source = raw.baseAddress else { return }
                scratch.copyMemory(from: source, byteCount: raw.count)
                let target = base + offset / wordBytes
                let count = raw.count / wordBytes
                if wordBytes == 8 {
                    add(scratch.assumingMemoryBound(to: UInt64.self), count: count, to: target, subtract: subtract)
                } else {
                    add(scratch.assumingMemoryBound(to: UInt32.self), count: count, to: target, subtract: subtract)
                }
            }
        }
    }
}

/// A deterministic random generator for Shamir polynomial coefficients: the ChaCha20 keystream
/// (`SecureAggregationPRG.keystream`) under `key`, read as little-endian UInt64 words, refilled
/// 4 KiB at a time.
struct SecureAggregationDRBG: RandomNumberGenerator {
    private static let refillBytes = 4096
    private let key: SymmetricKey
    private var chunk: UInt64 = 0
    private var buffer: [UInt64] = []
    private var position = 0

    init(key: SymmetricKey) { self.key = key }

    mutating func next() -> UInt64 {
        if position == buffer.count {
            var fresh = [UInt64](repeating: 0, count: Self.refillBytes / 8)
            // ChaChaPoly.seal only throws for malformed keys or nonces, which cannot occur here.
            try? SecureAggregationPRG.keystream(key: key, byteCount: Self.refillBytes, firstChunk: chunk) { raw, _ in
                fresh.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
            }
            for i in fresh.indices { fresh[i] = UInt64(littleEndian: fresh[i]) }
            buffer = fresh
            position = 0
            chunk &+= 1
        }
        defer { position += 1 }
        return buffer[position]
    }
}

// MARK: - Byte messages

struct SecureAggregationFailure: Error {
    var message: String
}

/// Little-endian message builder.
struct SecureAggregationWriter {
    private(set) var bytes: [UInt8] = []

    init(sender: UInt32, round: SecureAggregationRound, capacity: Int) {
        bytes.reserveCapacity(capacity)
        u32(sender)
        u32(UInt32(round.rawValue))
    }

    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func append(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }
}

/// Little-endian message parser with bounds checks (malformed input throws).
struct SecureAggregationReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    /// Reads and checks the header.
    init(_ bytes: [UInt8], sender: UInt32, round: SecureAggregationRound) throws {
        self.bytes = bytes
        let s = try u32()
        let r = try u32()
        guard s == sender, r == UInt32(round.rawValue) else {
            throw SecureAggregationFailure(message: "message header (\(s), \(r)) where (\(sender), \(round.rawValue)) was expected")
        }
    }

    /// A parser for a body without header (the plaintext of a share pair).
    init(headerless bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw SecureAggregationFailure(message: "truncated message")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func u32() throws -> UInt32 {
        try take(4).reversed().reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    }

    mutating func u64() throws -> UInt64 {
        try take(8).reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }

    mutating func id(below n: Int) throws -> Int {
        let v = Int(try u32())
        guard v < n else { throw SecureAggregationFailure(message: "device id \(v) out of range") }
        return v
    }

    func finish() throws {
        guard offset == bytes.count else { throw SecureAggregationFailure(message: "trailing bytes in message") }
    }
}

// MARK: - The protocol

/// Runs the rounds: device and server logic, each side reading only the bytes it received.
enum SecureAggregationProtocol {
    static let serverID = UInt32.max

    private struct PeerKeys {
        var c: Curve25519.KeyAgreement.PublicKey
        var s: Curve25519.KeyAgreement.PublicKey
    }

    /// X25519 is symmetric: X25519(a_u, A_v) = X25519(a_v, A_u). Devices u and v would both
    /// compute the same key; the simulation computes it once, when the first of the two needs it,
    /// and hands it to the other (each device is still charged one agreement). The server never
    /// uses this cache: it derives the masks of dropped devices from the keys it reconstructs.
    private struct PairKeyCache {
        private struct Pair: Hashable {
            var purpose: SecureAggregationCrypto.Purpose
            var low: Int
            var high: Int
        }
        private var keys: [Pair: SymmetricKey] = [:]

        mutating func key(
            _ purpose: SecureAggregationCrypto.Purpose, _ u: Int, _ v: Int, compute: () throws -> SymmetricKey
        ) rethrows -> SymmetricKey {
            let pair = Pair(purpose: purpose, low: min(u, v), high: max(u, v))
            if let key = keys[pair] { return key }
            let key = try compute()
            keys[pair] = key
            return key
        }
    }

    /// A device's state between rounds.
    private struct Device {
        let id: Int
        let cKey: Curve25519.KeyAgreement.PrivateKey
        let sKey: Curve25519.KeyAgreement.PrivateKey
        var peers: [Int: PeerKeys] = [:]
        var shareKeys: [Int: SymmetricKey] = [:]
        var selfSeed = SymmetricKey(data: [UInt8](repeating: 0, count: 32))  // set in ShareKeys
        var ownShareS: [UInt64] = []
        var ownShareB: [UInt64] = []
        var inbox: [Int: [UInt8]] = [:]
        var sharers: [Int] = []
    }

    static func execute(
        inputs: [[Float]], config: SecureAggregationConfig, dropBeforeShareKeys: Set<Int>,
        dropAfterShareKeys: Set<Int>, seed: UInt64, trace: inout SecureAggregationTrace
    ) -> SecureAggregationResult {
        let n = inputs.count
        let d = inputs.first?.count ?? 0
        let plain = SecureAggregation.Wire.plainUpdate(dimension: d, ringBits: config.ringBits)
        var rounds: [SecureAggregationRoundCost] = []
        func failed(_ message: String) -> SecureAggregationResult {
            SecureAggregationResult(
                sum: nil, fixedPointSum: [], cost: SecureAggregationCost(devices: n, plainUpdateBytes: plain, rounds: rounds),
                failure: message, survivors: [])
        }
        if let reason = config.validate(cohortSize: n) { return failed("invalid configuration: \(reason)") }
        guard inputs.allSatisfy({ $0.count == d }) else { return failed("inputs have different dimensions") }
        guard dropBeforeShareKeys.union(dropAfterShareKeys).allSatisfy({ (0..<n).contains($0) }) else {
            return failed("a dropped device index is outside 0..<\(n)")
        }
        do {
            let (ring, survivors) = try runRounds(
                inputs: inputs, config: config, dimension: d, dropBefore: dropBeforeShareKeys,
                dropAfter: dropAfterShareKeys, seed: seed, costs: &rounds, trace: &trace)
            return SecureAggregationResult(
                sum: SecureAggregation.decode(ring, config: config), fixedPointSum: ring,
                cost: SecureAggregationCost(devices: n, plainUpdateBytes: plain, rounds: rounds), failure: nil,
                survivors: survivors)
        } catch let failure as SecureAggregationFailure {
            return failed(failure.message)
        } catch {
            return failed("cryptographic error: \(error)")
        }
    }

    private static func runRounds(
        inputs: [[Float]], config: SecureAggregationConfig, dimension d: Int, dropBefore: Set<Int>,
        dropAfter: Set<Int>, seed: UInt64, costs: inout [SecureAggregationRoundCost], trace: inout SecureAggregationTrace
    ) throws -> (ring: [UInt64], survivors: [Int]) {
        typealias Wire = SecureAggregation.Wire
        let n = inputs.count
        let t = config.threshold
        let wordBytes = SecureAggregationPRG.wordBytes(ringBits: config.ringBits)
        let ringMask = config.ringMask
        let shareElements = ShamirSecretSharing.elements(for: Wire.secretBytes)
        var pairKeys = PairKeyCache()

        // Round 0: AdvertiseKeys. Every device generates (c_u, s_u) and sends both public keys.
        var r0 = SecureAggregationRoundCost(round: .advertiseKeys, devices: n)
        var devices: [Device] = []
        var advertised: [Int: (c: [UInt8], s: [UInt8])] = [:]  // server's view
        for u in 0..<n {
            let device = Device(
                id: u, cKey: try SecureAggregationCrypto.privateKey(seed: seed, device: u, purpose: "c-key"),
                sKey: try SecureAggregationCrypto.privateKey(seed: seed, device: u, purpose: "s-key"))
            r0.deviceOperations[u].keyGenerations += 2
            var w = SecureAggregationWriter(sender: UInt32(u), round: .advertiseKeys, capacity: Wire.advertiseKeys())
            w.append(device.cKey.publicKey.rawRepresentation)
            w.append(device.sKey.publicKey.rawRepresentation)
            r0.bytesUpPerDevice[u] += w.bytes.count
            devices.append(device)
            var r = try SecureAggregationReader(w.bytes, sender: UInt32(u), round: .advertiseKeys)
            let c = Array(try r.take(Wire.publicKeyBytes))
            let s = Array(try r.take(Wire.publicKeyBytes))
            try r.finish()
            advertised[u] = (c, s)
        }
        costs.append(r0)
        let u1 = advertised.keys.sorted()
        guard u1.count >= t else {
            throw SecureAggregationFailure(message: "AdvertiseKeys: \(u1.count) devices advertised keys, threshold \(t)")
        }

        // Round 1: ShareKeys. The server broadcasts U1's keys; each remaining device shares b_u and
        // s_u^SK among U1 and sends one encrypted share pair per other member of U1.
        var r1 = SecureAggregationRoundCost(round: .shareKeys, devices: n)
        var keyList = SecureAggregationWriter(sender: serverID, round: .shareKeys, capacity: Wire.keyList(advertisers: u1.count))
        keyList.u32(UInt32(u1.count))
        for v in u1 {
            keyList.u32(UInt32(v))
            keyList.append(advertised[v]!.c)
            keyList.append(advertised[v]!.s)
        }
        var mailbox: [Int: [Int: [UInt8]]] = [:]  // server: recipient → sender → ciphertext
        var u2: [Int] = []
        for u in 0..<n where !dropBefore.contains(u) {
            r1.bytesDownPerDevice[u] += keyList.bytes.count
            var device = devices[u]
            var r = try SecureAggregationReader(keyList.bytes, sender: serverID, round: .shareKeys)
            let count = Int(try r.u32())
            for _ in 0..<count {
                let v = try r.id(below: n)
                let c = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: try r.take(Wire.publicKeyBytes))
                let sRaw = Array(try r.take(Wire.publicKeyBytes))
                device.peers[v] = PeerKeys(c: c, s: try Curve25519.KeyAgreement.PublicKey(rawRepresentation: sRaw))
            }
            try r.finish()
            guard device.peers.count >= t, device.peers[u] != nil else {
                throw SecureAggregationFailure(message: "ShareKeys: device \(u) received \(device.peers.count) keys, threshold \(t)")
            }
            let members = device.peers.keys.sorted()
            device.selfSeed = SecureAggregationCrypto.derivedKey(seed: seed, device: u, purpose: "self-mask")
            var randomness = SecureAggregationDRBG(key: SecureAggregationCrypto.derivedKey(seed: seed, device: u, purpose: "shamir"))
            let points = members.map { UInt64($0 + 1) }
            guard
                let sShares = ShamirSecretSharing.split(
                    ShamirSecretSharing.pack(Array(device.sKey.rawRepresentation)), threshold: t, points: points,
                    using: &randomness),
                let bShares = ShamirSecretSharing.split(
                    ShamirSecretSharing.pack(SecureAggregationCrypto.bytes(of: device.selfSeed)), threshold: t,
                    points: points, using: &randomness)
            else { throw SecureAggregationFailure(message: "ShareKeys: Shamir split failed for device \(u)") }
            r1.deviceOperations[u].shareComputations += 2 * members.count
            var w = SecureAggregationWriter(
                sender: UInt32(u), round: .shareKeys, capacity: Wire.shareKeys(advertisers: members.count))
            w.u32(UInt32(members.count - 1))
            for (index, v) in members.enumerated() {
                if v == u {
                    device.ownShareS = sShares[index].y
                    device.ownShareB = bShares[index].y
                    continue
                }
                let key = try pairKeys.key(.share, u, v) {
                    try SecureAggregationCrypto.agreedKey(device.cKey, device.peers[v]!.c, purpose: .share)
                }
                r1.deviceOperations[u].keyAgreements += 1
                device.shareKeys[v] = key
                var pair: [UInt8] = []
                pair.reserveCapacity(Wire.sharePairPlaintextBytes)
                pair += SecureAggregationCrypto.littleEndianBytes(UInt32(u))
                pair += SecureAggregationCrypto.littleEndianBytes(UInt32(v))
                for e in sShares[index].y { pair += SecureAggregationCrypto.littleEndianBytes(e) }
                for e in bShares[index].y { pair += SecureAggregationCrypto.littleEndianBytes(e) }
                let sealed = try SecureAggregationCrypto.seal(pair, key: key, sender: u, receiver: v)
                r1.deviceOperations[u].aeadOperations += 1
                w.u32(UInt32(v))
                w.append(sealed)
            }
            r1.bytesUpPerDevice[u] += w.bytes.count
            devices[u] = device
            // Server: file each ciphertext under its recipient.
            var s = try SecureAggregationReader(w.bytes, sender: UInt32(u), round: .shareKeys)
            let entries = Int(try s.u32())
            for _ in 0..<entries {
                let v = try s.id(below: n)
                mailbox[v, default: [:]][u] = Array(try s.take(Wire.sharePairCiphertextBytes))
            }
            try s.finish()
            u2.append(u)
        }
        costs.append(r1)
        guard u2.count >= t else {
            throw SecureAggregationFailure(
                message: "ShareKeys: only \(u2.count) of \(n) devices sent shares, threshold \(t): aborted")
        }

        // Round 2: MaskedInputCollection. The server routes the ciphertexts; each device still
        // present sends y_u = x_u + PRG(b_u) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv).
        var r2 = SecureAggregationRoundCost(round: .maskedInputCollection, devices: n)
        var total = [UInt64](repeating: 0, count: d)
        var u3: [Int] = []
        for u in u2 where !dropAfter.contains(u) {
            var routed = SecureAggregationWriter(
                sender: serverID, round: .maskedInputCollection, capacity: Wire.routedShares(sharers: u2.count))
            let senders = u2.filter { $0 != u }
            routed.u32(UInt32(senders.count))
            for v in senders {
                routed.u32(UInt32(v))
                routed.append(mailbox[u]?[v] ?? [])
            }
            r2.bytesDownPerDevice[u] += routed.bytes.count
            var device = devices[u]
            var r = try SecureAggregationReader(routed.bytes, sender: serverID, round: .maskedInputCollection)
            let count = Int(try r.u32())
            for _ in 0..<count {
                let v = try r.id(below: n)
                device.inbox[v] = Array(try r.take(Wire.sharePairCiphertextBytes))
            }
            try r.finish()
            device.sharers = (Array(device.inbox.keys) + [u]).sorted()
            guard device.sharers.count >= t else {
                throw SecureAggregationFailure(message: "MaskedInputCollection: device \(u) saw \(device.sharers.count) sharers, threshold \(t)")
            }
            var y = SecureAggregation.encode(
                inputs[u], config: config, seed: SecureAggregation.encodingSeed(protocolSeed: seed, device: u))
            try SecureAggregationPRG.accumulate(seed: device.selfSeed, into: &y, wordBytes: wordBytes, subtract: false)
            r2.deviceOperations[u].prgExpansions += 1
            for v in device.sharers where v != u {
                guard let peer = device.peers[v] else {
                    throw SecureAggregationFailure(message: "MaskedInputCollection: device \(u) has no key for \(v)")
                }
                let pairSeed = try pairKeys.key(.mask, u, v) {
                    try SecureAggregationCrypto.agreedKey(device.sKey, peer.s, purpose: .mask)
                }
                r2.deviceOperations[u].keyAgreements += 1
                try SecureAggregationPRG.accumulate(seed: pairSeed, into: &y, wordBytes: wordBytes, subtract: v < u)
                r2.deviceOperations[u].prgExpansions += 1
            }
            let message = SecureAggregationPRG.packMaskedInput(y, ringBits: config.ringBits, sender: UInt32(u))
            r2.bytesUpPerDevice[u] += message.count
            devices[u] = device
            // Server: parse y_u and add it to the running total.
            _ = try SecureAggregationReader(Array(message.prefix(Wire.headerBytes)), sender: UInt32(u), round: .maskedInputCollection)
            guard message.count == Wire.maskedInput(dimension: d, ringBits: config.ringBits) else {
                throw SecureAggregationFailure(message: "masked input of device \(u) has the wrong size")
            }
            let received = SecureAggregationPRG.unpackMaskedInput(message, dimension: d, ringBits: config.ringBits)
            for i in 0..<d { total[i] = total[i] &+ received[i] }
            if trace.recordMaskedInputs { trace.maskedInputs[u] = received }
            u3.append(u)
        }
        costs.append(r2)
        guard u3.count >= t else {
            throw SecureAggregationFailure(
                message: "MaskedInputCollection: only \(u3.count) of \(u2.count) sharers sent masked inputs, "
                    + "threshold \(t): the masks cannot be removed, aborted")
        }

        // Round 3: Unmasking. The server sends U3; each survivor returns, for every sharer v, the
        // share of b_v (v survived) or of s_v^SK (v dropped), never both.
        var r3 = SecureAggregationRoundCost(round: .unmasking, devices: n)
        var survivorList = SecureAggregationWriter(sender: serverID, round: .unmasking, capacity: Wire.survivorList(survivors: u3.count))
        survivorList.u32(UInt32(u3.count))
        for u in u3 { survivorList.u32(UInt32(u)) }
        var received: [Int: [Int: [UInt64]]] = [:]  // server: responder → owner → share
        for u in u3 {
            r3.bytesDownPerDevice[u] += survivorList.bytes.count
            let device = devices[u]
            var r = try SecureAggregationReader(survivorList.bytes, sender: serverID, round: .unmasking)
            let count = Int(try r.u32())
            var survivors = Set<Int>()
            for _ in 0..<count { survivors.insert(try r.id(below: n)) }
            try r.finish()
            guard survivors.count >= t, survivors.contains(u), survivors.isSubset(of: device.sharers) else {
                throw SecureAggregationFailure(message: "Unmasking: device \(u) refuses an inconsistent survivor list")
            }
            var w = SecureAggregationWriter(sender: UInt32(u), round: .unmasking, capacity: Wire.unmaskingShares(sharers: device.sharers.count))
            w.u32(UInt32(device.sharers.count))
            for v in device.sharers {
                var sShare = device.ownShareS
                var bShare = device.ownShareB
                if v != u {
                    guard let key = device.shareKeys[v], let sealed = device.inbox[v] else {
                        throw SecureAggregationFailure(message: "Unmasking: device \(u) has no share from \(v)")
                    }
                    let pair = try SecureAggregationCrypto.open(sealed, key: key)
                    r3.deviceOperations[u].aeadOperations += 1
                    var p = SecureAggregationReader(headerless: pair)
                    guard try p.u32() == UInt32(v), try p.u32() == UInt32(u) else {
                        throw SecureAggregationFailure(message: "Unmasking: share pair from \(v) is not addressed to \(u)")
                    }
                    sShare = try (0..<shareElements).map { _ in try p.u64() }
                    bShare = try (0..<shareElements).map { _ in try p.u64() }
                    try p.finish()
                }
                w.u32(UInt32(v))
                for e in survivors.contains(v) ? bShare : sShare { w.u64(e) }
            }
            r3.bytesUpPerDevice[u] += w.bytes.count
            // Server: file the shares by owner.
            var s = try SecureAggregationReader(w.bytes, sender: UInt32(u), round: .unmasking)
            let entries = Int(try s.u32())
            for _ in 0..<entries {
                let v = try s.id(below: n)
                received[u, default: [:]][v] = try (0..<shareElements).map { _ in try s.u64() }
            }
            try s.finish()
        }
        let responders = received.keys.sorted()
        guard responders.count >= t else {
            costs.append(r3)
            throw SecureAggregationFailure(message: "Unmasking: only \(responders.count) survivors sent shares, threshold \(t)")
        }
        // Reconstruct from the first t responders (the same points for every secret).
        let chosen = Array(responders.prefix(t))
        guard let lambdas = ShamirSecretSharing.lagrangeCoefficientsAtZero(chosen.map { UInt64($0 + 1) }) else {
            throw SecureAggregationFailure(message: "Unmasking: bad evaluation points")
        }
        let survivorSet = Set(u3)
        for v in u2 {
            let shares = chosen.compactMap { received[$0]?[v] }
            guard shares.count == t, let elements = ShamirSecretSharing.combine(shares, lambdas: lambdas),
                let secret = ShamirSecretSharing.unpack(elements, byteCount: Wire.secretBytes)
            else { throw SecureAggregationFailure(message: "Unmasking: cannot reconstruct the secret of device \(v)") }
            r3.serverOperations.reconstructions += 1
            if survivorSet.contains(v) {
                // Remove v's self mask.
                try SecureAggregationPRG.accumulate(seed: SymmetricKey(data: secret), into: &total, wordBytes: wordBytes, subtract: true)
                r3.serverOperations.prgExpansions += 1
            } else {
                // v dropped after ShareKeys: rebuild s_v^SK and remove its pairwise masks with every survivor.
                let sKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: secret)
                r3.serverOperations.keyGenerations += 1
                guard Array(sKey.publicKey.rawRepresentation) == advertised[v]?.s else {
                    throw SecureAggregationFailure(message: "Unmasking: reconstructed key of device \(v) does not match its advertised key")
                }
                for u in u3 {
                    guard let sPublic = advertised[u]?.s else { continue }
                    let pairSeed = try SecureAggregationCrypto.agreedKey(
                        sKey, Curve25519.KeyAgreement.PublicKey(rawRepresentation: sPublic), purpose: .mask)
                    r3.serverOperations.keyAgreements += 1
                    // y_u holds +PRG(s_uv) when v > u and −PRG(s_uv) when v < u.
                    try SecureAggregationPRG.accumulate(seed: pairSeed, into: &total, wordBytes: wordBytes, subtract: v > u)
                    r3.serverOperations.prgExpansions += 1
                }
            }
        }
        costs.append(r3)
        return (total.map { $0 & ringMask }, u3)
    }
}
