// The descriptive fields of a heartbeat: which model, when the turn started, when anything last
// happened.

import type { Evidence, ModelSource } from "../types.js";
import type { CurrentRun } from "./currentRun.js";
import { latest } from "./format.js";
import type { Claim } from "./runInProgress.js";

/**
 * The current run's model, else the transcript's latest, else the index's, else an earlier run's;
 * when no run recorded one, the model OpenClaw would use: the session's override, else the
 * agent's configured model, else the configured default (as OpenClaw resolves it).
 */
export function pickModel(ev: Evidence, current: CurrentRun): { model?: string; source?: ModelSource } {
  const ran = current.run?.modelId ?? ev.transcript?.model ?? ev.entry.model ?? current.last?.modelId;
  if (ran) return { model: ran, source: "run" };
  const override = ev.entry.modelOverride;
  if (typeof override === "string" && override.trim()) return { model: override.trim(), source: "override" };
  if (ev.configuredModel) return { model: ev.configuredModel.model, source: ev.configuredModel.from };
  return {};
}

/** When the current (or last) turn started. */
export function turnStart(ev: Evidence, current: CurrentRun, claim: Claim | undefined): number | undefined {
  const { entry } = ev;
  if (entry.status === "running") return entry.startedAt ?? current.run?.firstEventAt;
  return current.run?.firstEventAt ?? claim?.anchor ?? entry.startedAt;
}

/**
 * The newest moment the files show OpenClaw doing something: transcript entries, trajectory
 * events, a lock being taken, a run starting or ending in the index. Left out on purpose:
 * `updatedAt` and `lastInteractionAt` (bumped by recovery, by keepalive touches and by metadata
 * patches without any work happening) and file mtimes (reset by copies, backups and restores).
 */
export function lastActivityAt(ev: Evidence): number | undefined {
  const { entry, transcript, trajectory, lock } = ev;
  return latest(
    transcript?.lastEntryAt,
    transcript?.lastMessageAt,
    trajectory?.lastEventAt,
    trajectory?.run?.lastEventAt,
    lock?.createdAt,
    entry.startedAt,
    entry.endedAt,
  );
}

/** No token deltas are written: the last known model output is a reply or a model.completed. */
export function lastTokenAt(ev: Evidence): number | undefined {
  const reply = ev.transcript?.lastRole === "assistant" ? ev.transcript.lastMessageAt : undefined;
  return latest(reply, ev.trajectory?.run?.modelCompletedAt);
}

/**
 * The newest moment the session's own files (transcript, trajectory) show work, index left out:
 * what keepalive compares with the index to find activity the index has not caught up with.
 */
export function fileActivityAt(ev: Evidence): number | undefined {
  const { transcript, trajectory } = ev;
  return latest(transcript?.lastEntryAt, transcript?.lastMessageAt, trajectory?.lastEventAt, trajectory?.run?.lastEventAt);
}
