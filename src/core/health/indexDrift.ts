// Where the evidence contradicts what sessions.json says. `status` is the LAST gateway run's
// status and OpenClaw often leaves it `running` forever (crashes, kills, errors inside the
// persist grace): that is the drift `cleanup --finalize-stale` repairs.

import type { IndexEntry } from "../types.js";
import type { Activity } from "./turnActivity.js";
import { ago } from "./format.js";
import type { Liveness } from "./liveness.js";
import type { Claim } from "./runInProgress.js";

export function indexDrift(
  entry: IndexEntry,
  claim: Claim | undefined,
  activity: Activity | undefined,
  live: Liveness | undefined,
  now: number,
): string | undefined {
  if (!claim || !activity) return undefined;
  const ended = activity.state === "complete";
  if (claim.by === "index") {
    if (ended) {
      const when = activity.since === undefined ? "" : ` ${ago(now, activity.since)}`;
      return `running in index, run ended${when} (${activity.outcome ?? "outcome unknown"})`;
    }
    return live?.lost ? `running in index, ${live.lost}` : undefined;
  }
  // An embedded run never writes status: a missing status is not drift, a terminal one is stale.
  if (entry.status === undefined || ended) return undefined;
  return live?.kind === "owner"
    ? `${entry.status} in index, but a later run holds the transcript lock`
    : `${entry.status} in index, but a later run died without ending (${live?.lost ?? "no owner"})`;
}
