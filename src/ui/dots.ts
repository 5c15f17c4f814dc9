// The status dot: a shape AND a word for every health, so it reads without colour (NO_COLOR,
// pipes, colour-blind users); colour only reinforces it.
import chalk, { type ChalkInstance } from "chalk";
import type { Health } from "../core/types.js";

export type DotColor = "green" | "yellow" | "red" | "gray";

export interface DotStyle {
  shape: string;
  word: Health;
  color: DotColor;
  /** idle is deliberately quiet: drawn dim rather than gray so it stays legible on dark themes */
  dim: boolean;
}

export const DOTS: Readonly<Record<Health, DotStyle>> = {
  active: { shape: "●", word: "active", color: "green", dim: false },
  waiting: { shape: "◐", word: "waiting", color: "yellow", dim: false },
  stalled: { shape: "▲", word: "stalled", color: "red", dim: false },
  unresponsive: { shape: "✖", word: "unresponsive", color: "red", dim: false },
  idle: { shape: "○", word: "idle", color: "gray", dim: true },
};

/** Problems first: the order the header, summaries and the default sort use. */
export const HEALTH_ORDER: readonly Health[] = ["unresponsive", "stalled", "waiting", "active", "idle"];

/** The widest "shape word" cell ("✖ unresponsive"), for fixed-width columns. */
export const DOT_LABEL_WIDTH = Math.max(...Object.values(DOTS).map((d) => d.word.length + 2));

export function paint(health: Health, text: string, c: ChalkInstance = chalk): string {
  const style = DOTS[health];
  return style.dim ? c.dim(text) : c[style.color](text);
}

/** "● active", coloured by chalk's level (0 when NO_COLOR / --no-color / not a TTY). */
export function dotLabel(health: Health, c: ChalkInstance = chalk): string {
  const style = DOTS[health];
  return paint(health, `${style.shape} ${style.word}`, c);
}

export function dotShape(health: Health, c: ChalkInstance = chalk): string {
  return paint(health, DOTS[health].shape, c);
}
