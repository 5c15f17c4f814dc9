// A terminal re-wraps what is on screen when it changes size: narrowed, each old line of the frame
// takes two rows or more, more rows than Ink knows it drew, so Ink's own erase on resize leaves
// the top of the old frame above the new one (seen in tmux, where a clear sent at once on
// SIGWINCH did not help either: the re-wrapped history came back above it). Once the size has
// settled, the screen is cleared and the frame drawn again from the top, as full-screen programs
// do on SIGWINCH.

/** The erase-screen and cursor-home sequences (ECMA-48 ED 2, CUP). */
export const CLEAR_SCREEN = "\u001b[2J\u001b[H";

/** A drag of the window's edge sends resizes this close together: one clear after the last. */
export const RESIZE_SETTLE_MS = 100;

interface ResizingStream {
  columns?: number;
  rows?: number;
  on(event: "resize", listener: () => void): unknown;
  off(event: "resize", listener: () => void): unknown;
}

/**
 * After each change of the terminal's size, once no other came for `settleMs`, hands `redraw`
 * the clear-screen sequence: Ink's `useStdout().write`, which erases its frame, writes it and
 * draws the frame again below it, that is from the top. Returns the function that stops it.
 */
export function clearAfterResize(stdout: ResizingStream, redraw: (text: string) => void, settleMs = RESIZE_SETTLE_MS): () => void {
  let size = `${stdout.columns}x${stdout.rows}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onResize = (): void => {
    const now = `${stdout.columns}x${stdout.rows}`;
    if (now === size) return;
    size = now;
    clearTimeout(timer);
    timer = setTimeout(() => redraw(CLEAR_SCREEN), settleMs);
  };
  stdout.on("resize", onResize);
  return () => {
    clearTimeout(timer);
    stdout.off("resize", onResize);
  };
}
