// A file this process may not open for reading (EACCES), while it may still append to it: what
// another user's 0600 log (or a 0200 one) gives a user who is not root. Tests run as root, which
// no mode stops, so the refusal is the kernel's answer played back; test/e2e has the real one.
import fs from "node:fs";
import { vi, type MockInstance } from "vitest";

export function denyReading(file: string): MockInstance<typeof fs.openSync> {
  const real = fs.openSync;
  return vi.spyOn(fs, "openSync").mockImplementation(((p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode | null) => {
    if (String(p) === file && (flags === undefined || flags === "r")) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: "EACCES", errno: -13, syscall: "open", path: file });
    }
    return real(p, flags ?? "r", mode);
  }) as typeof fs.openSync);
}
