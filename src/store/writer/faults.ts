// Fault injection. OPENCLAW_SESSIONS_FAULT is TEST-ONLY: end-to-end tests set it to push faults
// into the real built CLI. Nothing else reads it; it never makes a write less safe, only fail
// (the index is then left byte-identical) or slower. Values, comma separated:
//   enospc            the temp write of the index stops half way with ENOSPC
//   short-write       every write call writes at most half of what it was asked (must be continued)
//   slow-rename:<ms>  sleep <ms> between the verified temp file and the rename (kill window)
import fs from "node:fs";
import type { FaultHooks } from "./types.js";

type WriteChunk = NonNullable<FaultHooks["writeChunk"]>;

export const realWrite: WriteChunk = (fd, buffer, offset, length, position) =>
  fs.writeSync(fd, buffer, offset, length, position);

export function enospcError(): NodeJS.ErrnoException {
  return Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
    errno: -28,
    syscall: "write",
  });
}

/** Writes half of the first request, then fails every call with ENOSPC. */
export function enospcAfterHalf(): WriteChunk {
  let calls = 0;
  return (fd, buffer, offset, length, position) => {
    if (calls++ > 0 || length < 2) throw enospcError();
    return realWrite(fd, buffer, offset, Math.floor(length / 2), position);
  };
}

/** Writes at most half of each request: correct callers loop, naive ones publish a torn file. */
export function halfWrites(): WriteChunk {
  return (fd, buffer, offset, length, position) =>
    realWrite(fd, buffer, offset, Math.max(1, Math.floor(length / 2)), position);
}

export function faultsFromEnv(value = process.env.OPENCLAW_SESSIONS_FAULT): FaultHooks {
  const hooks: FaultHooks = {};
  for (const item of (value ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, arg] = item.split(":");
    if (name === "enospc") hooks.writeChunk = enospcAfterHalf();
    else if (name === "short-write") hooks.writeChunk = halfWrites();
    else if (name === "slow-rename" && Number(arg) >= 0) hooks.slowRenameMs = Number(arg);
  }
  return hooks;
}

/** Explicit hooks win over the environment. */
export function resolveFaults(explicit?: FaultHooks): FaultHooks {
  return { ...faultsFromEnv(), ...(explicit ?? {}) };
}
