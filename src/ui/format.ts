// Text helpers shared by the table, the live view and snapshots. Everything takes `now` so the
// same heartbeat renders the same string in tests and in a frozen (paused) view.
import { formatDuration } from "../core/duration.js";
import type { Heartbeat, SessionState } from "../core/types.js";

const ELLIPSIS = "…";

/** "12s ago", "3m05s ago"; "now" within a second (clock skew between writers included). */
export function formatAgo(at: number | undefined, now: number): string {
  if (at === undefined || !Number.isFinite(at)) return "-";
  const diff = now - at;
  if (Math.abs(diff) < 1_000) return "now";
  return diff < 0 ? `in ${formatDuration(-diff)}` : `${formatDuration(diff)} ago`;
}

/** Seconds with one decimal under 10 s ("0.4s"): the footer's feed age must show sub-second progress. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const clamped = Math.max(0, ms);
  if (clamped < 10_000) return `${(Math.floor(clamped / 100) / 10).toFixed(1)}s`;
  return formatDuration(clamped);
}

/** A turn is in progress in every state but these two; only then does its clock tick. */
export function isTurnInProgress(state: SessionState): boolean {
  return state !== "idle" && state !== "complete";
}

/** Elapsed time of the current turn, "-" when no turn runs (a finished turn has no live clock). */
export function formatElapsed(hb: Pick<Heartbeat, "state" | "startedAt">, now: number): string {
  if (!isTurnInProgress(hb.state) || hb.startedAt === undefined) return "-";
  return formatDuration(Math.max(0, now - hb.startedAt));
}

const STATE_WORDS: Record<SessionState, string> = {
  idle: "idle",
  awaiting_model: "awaiting model",
  streaming: "streaming",
  tool_exec: "tool exec",
  tool_wait: "tool wait",
  complete: "complete",
};

export function stateWord(state: SessionState): string {
  return STATE_WORDS[state] ?? String(state);
}

/**
 * Labels, model and tool names come from files other programs wrote: an escape sequence or a
 * newline in one would corrupt the terminal or forge output, so control characters are shown
 * as U+FFFD instead.
 */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\ufffd");
}

/** The first few keys, then how many more: a line that stays short however many there are. */
export function keyList(keys: readonly string[], max = 5): string {
  const shown = keys.slice(0, max).join(", ");
  return keys.length > max ? `${shown}, +${keys.length - max} more` : shown;
}

/** The name an operator recognises: the label when there is one, else the session key. */
export function displayName(hb: Pick<Heartbeat, "label" | "sessionKey">): string {
  const label = hb.label?.trim();
  return clean(label ? label : hb.sessionKey);
}

// Terminal cells per code point: wide for CJK and emoji, zero for combining marks and joiners.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO = /[\p{M}\u200b-\u200f\ufe00-\ufe0f]/u;

function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

export function displayWidth(text: string): number {
  // printable ASCII is by far the common case (keys, ids, models): skip the per-character scan
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** Cut to `width` cells, ending with "…" when something was cut. */
export function truncateEnd(text: string, width: number): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + ELLIPSIS;
}

/**
 * Keys carry meaning at both ends (`agent:main:telegram:group:…:run:<uuid>`): keep the head and
 * the tail, cut the middle.
 */
export function truncateMiddle(text: string, width: number): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  if (width < 5) return truncateEnd(text, width);
  const chars = [...text];
  const tailBudget = Math.floor((width - 1) / 2);
  const headBudget = width - 1 - tailBudget;
  let head = "";
  let used = 0;
  for (const ch of chars) {
    const w = charWidth(ch);
    if (used + w > headBudget) break;
    head += ch;
    used += w;
  }
  let tail = "";
  used = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = charWidth(chars[i]);
    if (used + w > tailBudget) break;
    tail = chars[i] + tail;
    used += w;
  }
  return head + ELLIPSIS + tail;
}

/** Pad (or cut) to exactly `width` cells. */
export function fit(text: string, width: number, align: "left" | "right" = "left", cut = truncateEnd): string {
  const cutText = cut(text, width);
  const gap = " ".repeat(Math.max(0, width - displayWidth(cutText)));
  return align === "left" ? cutText + gap : gap + cutText;
}

/** How the index cell reads when the index disagrees with the evidence, e.g. "running (stale)". */
export function indexDriftCell(hb: Pick<Heartbeat, "storeStatus" | "drift" | "health">): string {
  if (!hb.drift) return "";
  const status = hb.storeStatus ? clean(hb.storeStatus) : "no status";
  // `running` left behind by a run that is over (or whose owner died) is the case this tool exists for
  const stale = hb.storeStatus === "running" && (hb.health === "idle" || hb.health === "unresponsive");
  return `${status} (${stale ? "stale" : "drift"})`;
}

/**
 * Cuts each text to `width` so that texts that differ stay different when cut (two keys ending in
 * `...-killed` must not both read `agent:…illed`). The start every text shares (up to a `:`) is
 * dropped first; then, where two cuts still collide, each shows the part where it differs from
 * the others. Keyed by the full text.
 */
export function distinctCuts(texts: readonly string[], width: number): Map<string, string> {
  const unique = [...new Set(texts)];
  const out = new Map<string, string>();
  const shared = unique.length > 1 ? sharedStart(unique) : "";
  for (const t of unique) {
    if (displayWidth(t) <= width) out.set(t, t);
    else if (shared && width >= 5) out.set(t, ELLIPSIS + truncateMiddle(t.slice(shared.length), width - 1));
    else out.set(t, truncateMiddle(t, width));
  }
  const byCut = new Map<string, string[]>();
  for (const [t, c] of out) byCut.set(c, [...(byCut.get(c) ?? []), t]);
  for (const group of byCut.values()) {
    if (group.length < 2 || width < 5) continue;
    for (const t of group) {
      // the first position where t differs from its closest sibling: show the window around it
      const differsAt = Math.max(...group.filter((o) => o !== t).map((o) => commonLength(t, o)));
      out.set(t, windowAround(t, differsAt, width));
    }
  }
  return out;
}

function commonLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The longest start every text shares, cut back to just after a `:` so whole key parts go. */
function sharedStart(texts: readonly string[]): string {
  let n = texts[0].length;
  for (const t of texts) n = Math.min(n, commonLength(texts[0], t));
  const colon = texts[0].lastIndexOf(":", n - 1);
  return colon >= 0 ? texts[0].slice(0, colon + 1) : "";
}

/** `width` cells of `text` showing position `at`, with "…" where something was left out. */
function windowAround(text: string, at: number, width: number): string {
  const inner = width - 2;
  if (text.length - at <= width - 1) return truncateEnd(ELLIPSIS + text.slice(text.length - (width - 1)), width);
  const start = Math.max(1, at - Math.floor(inner / 3));
  return truncateEnd(ELLIPSIS + text.slice(start, start + inner) + ELLIPSIS, width);
}
