import { createHash, createPublicKey, generateKeyPairSync, verify as nodeVerify } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isPlurigridError } from "./errors.js";
import { fromHex, toHex } from "./hash.js";
import {
  accountIdOf,
  checkKeyFilePermissions,
  generateKeyPair,
  isAccountId,
  isSmallOrderPublicKey,
  keyFromSeed,
  parseAccountId,
  privateKeyObject,
  readKeyFile,
  sign,
  verify,
  writeKeyFile,
} from "./keys.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

// RFC 8032 §7.1, "Test Vectors for Ed25519": SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE.
const TEST_1024_MESSAGE =
  "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c5" +
  "0544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0" +
  "810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82" +
  "d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9" +
  "a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c9" +
  "4fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5" +
  "d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88" +
  "425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc" +
  "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80" +
  "c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae078" +
  "4504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9" +
  "b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d" +
  "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc" +
  "82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7984a74d371459867" +
  "80fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8" +
  "b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e" +
  "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f791" +
  "4f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45" +
  "a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac" +
  "86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0";

const RFC8032 = [
  {
    name: "TEST 1",
    secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "TEST 2",
    secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "TEST 3",
    secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    name: "TEST 1024",
    secret: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
    public: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
    message: TEST_1024_MESSAGE,
    signature:
      "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
  },
  {
    name: "TEST SHA(abc)",
    secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    public: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    message:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    signature:
      "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

describe("Ed25519 (RFC 8032 §7.1)", () => {
  it("derives the public key and signs every test vector exactly", () => {
    expect(TEST_1024_MESSAGE.length).toBe(2 * 1023);
    expect(RFC8032[4].message).toBe(createHash("sha512").update("abc").digest("hex"));
    for (const v of RFC8032) {
      const pair = keyFromSeed(fromHex(v.secret));
      expect(toHex(pair.publicKey), v.name).toBe(v.public);
      expect(toHex(pair.secretKey)).toBe(v.secret);
      const message = fromHex(v.message);
      expect(toHex(sign(pair.secretKey, message)), v.name).toBe(v.signature);
      expect(toHex(sign(privateKeyObject(fromHex(v.secret)), message))).toBe(v.signature);
      expect(verify(fromHex(v.public), message, fromHex(v.signature)), v.name).toBe(true);
    }
  });

  it("rejects every single-bit change of message, signature or public key", () => {
    const v = RFC8032[2];
    const [pub, msg, sig] = [fromHex(v.public), fromHex(v.message), fromHex(v.signature)];
    for (let bit = 0; bit < msg.length * 8; bit++) expect(verify(pub, flipBit(msg, bit), sig)).toBe(false);
    for (let bit = 0; bit < 512; bit++) expect(verify(pub, msg, flipBit(sig, bit))).toBe(false);
    for (let bit = 0; bit < 256; bit++) expect(verify(flipBit(pub, bit), msg, sig)).toBe(false);
    expect(verify(fromHex(RFC8032[1].public), msg, sig)).toBe(false);
    expect(verify(pub, new Uint8Array([...msg, 0]), sig)).toBe(false);
  });

  it("rejects the malleated signature (S + L) that would otherwise verify the same message", () => {
    const v = RFC8032[0];
    const sig = fromHex(v.signature);
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
    let sPlusL = s + L;
    const malleated = Uint8Array.from(sig);
    for (let i = 32; i < 64; i++) {
      malleated[i] = Number(sPlusL & 0xffn);
      sPlusL >>= 8n;
    }
    expect(verify(fromHex(v.public), fromHex(v.message), malleated)).toBe(false);
  });

  it("refuses public keys of small order, under which OpenSSL accepts a trivial forgery", () => {
    // The eight points of the 8-torsion subgroup, canonically encoded.
    const torsion = [
      "0100000000000000000000000000000000000000000000000000000000000000",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0000000000000000000000000000000000000000000000000000000000000080",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ];
    // R = identity, S = 0: valid for message m exactly when [k]A = identity, k = H(R || A || m).
    const forgery = new Uint8Array(64);
    forgery[0] = 1;
    for (const hex of torsion) {
      const pub = fromHex(hex);
      const raw = createPublicKey({
        key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pub]),
        format: "der",
        type: "spki",
      });
      const messages = Array.from({ length: 200 }, (_, i) => new TextEncoder().encode(`transfer ${i}`));
      // Raw OpenSSL accepts the forgery for some message: proof that the point really has small order.
      expect(
        messages.some((m) => nodeVerify(null, m, raw, forgery)),
        hex,
      ).toBe(true);
      expect(isSmallOrderPublicKey(pub)).toBe(true);
      for (const m of messages) expect(verify(pub, m, forgery)).toBe(false);
    }
    // Non-canonical encodings of the same points are refused too: y = p, p + 1 and sign-bit variants.
    for (const hex of [
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "0100000000000000000000000000000000000000000000000000000000000080",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ]) {
      expect(isSmallOrderPublicKey(fromHex(hex))).toBe(true);
    }
    expect(isSmallOrderPublicKey(fromHex(RFC8032[0].public))).toBe(false);
  });

  it("answers false, never throws, for well-sized garbage", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (pub, msg, sig) => {
          expect(verify(pub, msg, sig)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees with keys made by node:crypto's own generator", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const seed = new Uint8Array(Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url"));
    const pub = new Uint8Array(Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url"));
    expect(keyFromSeed(seed).publicKey).toEqual(pub);
    const msg = new TextEncoder().encode("interval 42");
    expect(verify(pub, msg, sign(privateKey, msg))).toBe(true);
  });

  it("makes fresh, distinct, working key pairs", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.secretKey).not.toEqual(b.secretKey);
    expect(keyFromSeed(a.secretKey).publicKey).toEqual(a.publicKey);
    const msg = new TextEncoder().encode("bid");
    expect(verify(a.publicKey, msg, sign(a.secretKey, msg))).toBe(true);
    expect(verify(b.publicKey, msg, sign(a.secretKey, msg))).toBe(false);
  });

  it("signs with the current bytes of a secret key array even after it is changed", () => {
    const seed = fromHex(RFC8032[0].secret);
    const msg = new Uint8Array(0);
    expect(toHex(sign(seed, msg))).toBe(RFC8032[0].signature);
    seed.set(fromHex(RFC8032[1].secret));
    expect(verify(fromHex(RFC8032[1].public), msg, sign(seed, msg))).toBe(true);
  });

  it("throws KEY_INVALID for inputs of the wrong length or type", () => {
    const v = RFC8032[0];
    const [pub, sig, seed] = [fromHex(v.public), fromHex(v.signature), fromHex(v.secret)];
    const msg = new Uint8Array(0);
    expect(codeOf(() => verify(pub.subarray(1), msg, sig))).toBe("KEY_INVALID");
    expect(codeOf(() => verify(pub, msg, sig.subarray(1)))).toBe("KEY_INVALID");
    expect(codeOf(() => verify(pub, msg, new Uint8Array(65)))).toBe("KEY_INVALID");
    expect(codeOf(() => verify(pub, "hi" as unknown as Uint8Array, sig))).toBe("KEY_INVALID");
    expect(codeOf(() => sign(seed.subarray(1), msg))).toBe("KEY_INVALID");
    expect(codeOf(() => sign(seed, "hi" as unknown as Uint8Array))).toBe("KEY_INVALID");
    expect(codeOf(() => sign(createPublicKey(privateKeyObject(seed)), msg))).toBe("KEY_INVALID");
    expect(codeOf(() => keyFromSeed(new Uint8Array(31)))).toBe("KEY_INVALID");
    expect(codeOf(() => accountIdOf(new Uint8Array(33)))).toBe("KEY_INVALID");
    expect(codeOf(() => isSmallOrderPublicKey(new Uint8Array(0)))).toBe("KEY_INVALID");
  });
});

describe("account ids", () => {
  it("are pg1 + hex of the first 20 bytes of the tagged hash of the public key", () => {
    const pub = fromHex(RFC8032[0].public);
    const tag = Buffer.from("plurigrid/account");
    const len = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const digest = createHash("sha256")
      .update(Buffer.concat([len(tag.length), tag, len(32), pub]))
      .digest("hex");
    const id = accountIdOf(pub);
    expect(id).toBe(`pg1${digest.slice(0, 40)}`);
    expect(id).toHaveLength(43);
    expect(isAccountId(id)).toBe(true);
    expect(parseAccountId(id)).toBe(id);
    expect(accountIdOf(fromHex(RFC8032[1].public))).not.toBe(id);
    // The same array changed in place gets the new key's id, not the cached one.
    pub.set(fromHex(RFC8032[1].public));
    expect(accountIdOf(pub)).toBe(accountIdOf(fromHex(RFC8032[1].public)));
  });

  it("reject malformed ids with ACCOUNT_ID_INVALID", () => {
    const good = accountIdOf(fromHex(RFC8032[0].public));
    for (const bad of [
      "",
      good.toUpperCase(),
      good.slice(0, 42),
      `${good}0`,
      `pg2${good.slice(3)}`,
      ` ${good}`,
    ]) {
      expect(isAccountId(bad)).toBe(false);
      expect(codeOf(() => parseAccountId(bad))).toBe("ACCOUNT_ID_INVALID");
    }
  });
});

describe("key files", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-keys-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => join(dir, `key-${n++}.json`);
  const pair = keyFromSeed(fromHex(RFC8032[0].secret));

  it("writes the documented JSON with mode 0600 and reads it back", () => {
    const path = fresh();
    const old = process.umask(0o000); // the mode must not depend on the caller's umask
    try {
      writeKeyFile(path, pair);
    } finally {
      process.umask(old);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      kind: "plurigrid-ed25519",
      publicKey: RFC8032[0].public,
      secretKey: RFC8032[0].secret,
    });
    const back = readKeyFile(path);
    expect(back.publicKey).toEqual(pair.publicKey);
    expect(back.secretKey).toEqual(pair.secretKey);
    expect(() => checkKeyFilePermissions(path)).not.toThrow();
  });

  it("refuses to overwrite a file or write through a symlink (KEY_FILE_EXISTS)", () => {
    const path = fresh();
    writeFileSync(path, "precious", { mode: 0o600 });
    expect(codeOf(() => writeKeyFile(path, pair))).toBe("KEY_FILE_EXISTS");
    expect(readFileSync(path, "utf8")).toBe("precious");
    const link = fresh();
    const target = fresh();
    symlinkSync(target, link);
    expect(codeOf(() => writeKeyFile(link, pair))).toBe("KEY_FILE_EXISTS");
    expect(() => statSync(target)).toThrow();
  });

  it("refuses files that group or others may access (KEY_FILE_PERMISSIONS)", () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o660]) {
      const path = fresh();
      writeKeyFile(path, pair);
      chmodSync(path, mode);
      expect(codeOf(() => readKeyFile(path))).toBe("KEY_FILE_PERMISSIONS");
      expect(codeOf(() => checkKeyFilePermissions(path))).toBe("KEY_FILE_PERMISSIONS");
    }
    const ownerOnly = fresh();
    writeKeyFile(ownerOnly, pair);
    chmodSync(ownerOnly, 0o400);
    expect(readKeyFile(ownerOnly).publicKey).toEqual(pair.publicKey);
  });

  it("reports a missing file as KEY_FILE_NOT_FOUND", () => {
    expect(codeOf(() => readKeyFile(join(dir, "absent.json")))).toBe("KEY_FILE_NOT_FOUND");
    expect(codeOf(() => checkKeyFilePermissions(join(dir, "absent.json")))).toBe("KEY_FILE_NOT_FOUND");
  });

  it("rejects malformed key files with KEY_FILE_INVALID", () => {
    const other = keyFromSeed(fromHex(RFC8032[1].secret));
    const body = (o: Record<string, unknown>) => JSON.stringify(o);
    const good = {
      kind: "plurigrid-ed25519",
      publicKey: toHex(pair.publicKey),
      secretKey: toHex(pair.secretKey),
    };
    const bad = [
      "not json",
      "[]",
      "null",
      body({ ...good, kind: "ssh-ed25519" }),
      body({ ...good, publicKey: undefined }),
      body({ ...good, secretKey: good.secretKey.toUpperCase() }),
      body({ ...good, secretKey: good.secretKey.slice(2) }),
      body({ ...good, publicKey: toHex(other.publicKey) }),
      " ".repeat(5000),
    ];
    for (const text of bad) {
      const path = fresh();
      writeFileSync(path, text, { mode: 0o600 });
      expect(
        codeOf(() => readKeyFile(path)),
        text.slice(0, 40),
      ).toBe("KEY_FILE_INVALID");
    }
    const sub = fresh();
    mkdirSync(sub, { mode: 0o700 });
    expect(codeOf(() => readKeyFile(sub))).toBe("KEY_FILE_INVALID");
  });

  it("refuses to write a mismatched pair (KEY_INVALID) or into a missing folder (KEY_FILE_WRITE)", () => {
    const other = keyFromSeed(fromHex(RFC8032[1].secret));
    const path = fresh();
    expect(codeOf(() => writeKeyFile(path, { publicKey: other.publicKey, secretKey: pair.secretKey }))).toBe(
      "KEY_INVALID",
    );
    expect(() => statSync(path)).toThrow();
    expect(codeOf(() => writeKeyFile(join(dir, "no-such-dir", "k.json"), pair))).toBe("KEY_FILE_WRITE");
  });
});
