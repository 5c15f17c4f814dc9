// The one writer of OpenClaw's sessions.json. Nothing else in openclaw-sessions writes an index.
export { applyPatches, DEFAULT_VERIFY_AFTER_MS } from "./apply.js";
export { undoLast } from "./undo.js";
export { indexChangedSincePlanned } from "./patch.js";
export { defaultAuditPath, readAuditTail, type AuditRecord } from "./audit.js";
export { GATEWAY_LOCK_STALE_MS, gatewayLockPath } from "./lock-gateway.js";
export { ownLockPath } from "./lock-own.js";
export type { AppliedChange, ApplyOptions, ApplyResult, FaultHooks, UndoResult } from "./types.js";
export type { EntryPatch } from "../../core/types.js";
