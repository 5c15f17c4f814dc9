// Each distinct warning is told once, when it first appears; one that cleared and comes back
// (an index that breaks again) is news again.
export class NewWarnings {
  private readonly told = new Set<string>();

  constructor(private readonly tell: ((message: string) => void) | undefined) {}

  /** Tells the warnings of `current` not told since they last held. */
  report(current: readonly string[]): void {
    if (!this.tell) return;
    const now = new Set(current);
    for (const w of this.told) if (!now.has(w)) this.told.delete(w);
    for (const w of current) {
      if (this.told.has(w)) continue;
      this.told.add(w);
      this.tell(w);
    }
  }
}
