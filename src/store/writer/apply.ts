// applyPatches: the only code that rewrites an OpenClaw sessions.json (under the locks of write-cycle.ts,
// behind the refusals of guards.ts).
import type { EntryPatch } from "../../core/types.js";
import type { AuditRecord } from "./audit.js";
import { openSession } from "./context.js";
import { refuseDrasticShrink } from "./guards.js";
import { INDEX_CHANGED, recheckAndApply, type PatchOutcome } from "./patch.js";
import { entryCount, isCanonical, readIndexStrict, serializeIndex } from "./read-index.js";
import type { ApplyOptions, ApplyResult, FaultHooks } from "./types.js";
import { findOverwritten } from "./verify.js";
import { lockedWrite } from "./write-cycle.js";

export const DEFAULT_VERIFY_AFTER_MS = 300;

interface Planned extends PatchOutcome {
  beforeCount: number;
  afterCount: number;
  written?: Record<string, unknown>;
}

export async function applyPatches(storePath: string, patches: EntryPatch[], opts: ApplyOptions): Promise<ApplyResult> {
  const session = await openSession(storePath, opts, "apply");
  try {
    const result = await lockedWrite<Planned>(session.cycle, (read) => {
      if (!read) {
        const skipped = patches.map((p) => ({ sessionKey: p.sessionKey, why: INDEX_CHANGED.noFile }));
        return { info: { applied: [], skipped, removals: 0, beforeCount: 0, afterCount: 0 } };
      }
      const beforeCount = entryCount(read.obj);
      // works on read.obj itself: the raw parse keeps unknown fields and key order
      const outcome = recheckAndApply(read.obj, patches);
      const info: Planned = { ...outcome, beforeCount, afterCount: entryCount(read.obj) };
      if (outcome.applied.length === 0) return { info };
      const bytes = serializeIndex(read.obj, read.trailingNewline);
      refuseDrasticShrink({
        storePath,
        beforeCount,
        afterCount: info.afterCount,
        removals: outcome.removals,
        beforeBytes: read.bytes.length,
        afterBytes: bytes.length,
        maxShrinkRatio: opts.maxShrinkRatio ?? 0.5,
      });
      return { bytes, info: { ...info, written: read.obj } };
    });
    const { info } = result;
    const out: ApplyResult = {
      applied: result.wrote ? info.applied : [],
      skipped: info.skipped,
      backupPath: result.backupPath,
      beforeCount: info.beforeCount,
      afterCount: result.wrote ? info.afterCount : info.beforeCount,
      overwritten: [],
      wrote: result.wrote,
      undoable: false,
      warnings: [...result.warnings],
    };
    if (!result.wrote) return out;
    // checked outside the gateway's lock: it costs a second parse and serialization
    if (result.read && !isCanonical(result.read.bytes, result.read.trailingNewline)) {
      out.warnings.push(`${storePath} was not in OpenClaw's own format; it was rewritten with 2-space indent`);
    }
    const ts = new Date(session.cycle.nowMs()).toISOString();
    const records: AuditRecord[] = info.applied.map((c) => ({
      ts,
      pid: process.pid,
      kind: "apply",
      writeId: session.writeId,
      storePath: session.cycle.realPath,
      sessionKey: c.sessionKey,
      sessionId: c.sessionId,
      action: c.action,
      set: c.set,
      unset: c.unset,
      removed: c.removed,
      archives: c.archives,
      reasons: c.reasons,
      backupPath: result.backupPath!,
      backupSha256: result.backupSha256!,
      writtenSha256: result.writtenSha256!,
    }));
    const finished = session.finish(records);
    out.warnings.push(...finished.warnings);
    out.undoable = finished.undoable;
    await survivalCheck(session.cycle.realPath, info, out, opts, session.cycle.faults);
    return out;
  } finally {
    await session.close();
  }
}

/** Held under our own lock, so another of our writes cannot be mistaken for the gateway's. */
async function survivalCheck(
  realPath: string,
  info: Planned,
  out: ApplyResult,
  opts: ApplyOptions,
  faults: FaultHooks,
): Promise<void> {
  const delay = opts.verifyAfterMs ?? DEFAULT_VERIFY_AFTER_MS;
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  faults.beforeVerify?.();
  try {
    const now = readIndexStrict(realPath);
    out.overwritten = now ? findOverwritten(now.obj, info.written ?? {}, info.applied) : [];
  } catch (err) {
    out.warnings.push(`could not re-read the index to check the change survived: ${(err as Error).message}`);
  }
}
