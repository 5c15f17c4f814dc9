import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/store/sha256.js";

const nodeSha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("sha256Hex", () => {
  it("gives the FIPS 180-4 digests of the empty string and 'abc'", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("agrees with node:crypto at every length across the one- and two-block padding edges (0-200 bytes)", () => {
    for (let n = 0; n <= 200; n++) {
      const text = "x".repeat(n);
      expect(sha256Hex(text), `length ${n}`).toBe(nodeSha256(text));
    }
  });

  it("hashes the UTF-8 bytes of non-ASCII config paths, as node:crypto does", () => {
    for (const text of ["/home/jöran/.openclaw/openclaw.json", "/srv/配置/openclaw.json", "/tmp/😀/openclaw.json"]) {
      expect(sha256Hex(text)).toBe(nodeSha256(text));
    }
  });

  it("agrees with node:crypto on random strings up to 4 KB", () => {
    for (let i = 0; i < 200; i++) {
      const text = randomBytes(i * 20).toString("base64");
      expect(sha256Hex(text)).toBe(nodeSha256(text));
    }
  });
});
