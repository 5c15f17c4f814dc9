import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { enospcAfterHalf, faultsFromEnv, halfWrites } from "../../../src/store/writer/faults.js";

function withTempFile(run: (fd: number, file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-faults-"));
  const file = path.join(dir, "f");
  const fd = fs.openSync(file, "w+");
  try {
    run(fd, file);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("OPENCLAW_SESSIONS_FAULT (test-only)", () => {
  it("parses the documented values and ignores anything else", () => {
    expect(faultsFromEnv("slow-rename:40").slowRenameMs).toBe(40);
    expect(typeof faultsFromEnv("enospc").writeChunk).toBe("function");
    expect(typeof faultsFromEnv("short-write, slow-rename:5").writeChunk).toBe("function");
    expect(faultsFromEnv("short-write, slow-rename:5").slowRenameMs).toBe(5);
    expect(faultsFromEnv("bogus,slow-rename:x")).toEqual({});
    expect(faultsFromEnv(undefined)).toEqual({});
  });

  it("enospc writes part of the first request, then fails with ENOSPC", () => {
    withTempFile((fd, file) => {
      const w = enospcAfterHalf();
      const data = Buffer.from("0123456789");
      expect(w(fd, data, 0, 10, 0)).toBe(5);
      expect(() => w(fd, data, 5, 5, 5)).toThrow(expect.objectContaining({ code: "ENOSPC" }));
      expect(fs.readFileSync(file, "utf8")).toBe("01234");
    });
  });

  it("short-write writes at most half of each request", () => {
    withTempFile((fd, file) => {
      const w = halfWrites();
      const data = Buffer.from("0123456789");
      expect(w(fd, data, 0, 10, 0)).toBe(5);
      expect(w(fd, data, 9, 1, 9)).toBe(1);
      expect(fs.readFileSync(file, "utf8")).toBe("01234\0\0\0\0" + "9");
    });
  });
});
