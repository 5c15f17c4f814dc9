// Watches `<state>/agents` for agent dirs that come or go, when the stores are discovered (no
// --store, no --agent). A dir that does not exist yet, or a watch that failed, is tried again by
// the caller's slow tick.
import fs from "node:fs";

export class AgentsDirWatch {
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly agentsDir: string,
    /** a burst of mkdirs settled, or the watch failed: look at the agents again */
    private readonly onChange: () => void,
    private readonly debounceMs = 75,
  ) {}

  arm(): void {
    if (this.watcher) return;
    try {
      const w = fs.watch(this.agentsDir, { persistent: false }, () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.onChange();
        }, this.debounceMs);
      });
      w.on("error", () => {
        w.close();
        if (this.watcher === w) this.watcher = undefined; // re-armed on the slow tick
        this.onChange();
      });
      this.watcher = w;
    } catch {
      // no agents dir yet: the slow tick tries again
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}
