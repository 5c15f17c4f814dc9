// Runs a live source's queued work one batch at a time: changes that arrive while a batch is
// applied form the next one, so a burst of file events costs one read per session.
import { emptyPending, isEmptyPending, type Pending } from "./pending.js";

export class BatchRunner {
  /** the next batch: every change queues here */
  pending: Pending = emptyPending();
  private running: Promise<void> | undefined;
  private startedAt = 0;

  constructor(
    /** applies one batch */
    private readonly apply: (work: Pending) => Promise<void>,
    /** a batch threw: the feed stays up, the next change tries again */
    private readonly onError: (err: Error) => void,
    /** false while batches must wait (the first read is under way) or forever (closed) */
    private readonly mayRun: () => boolean,
  ) {}

  /** Starts applying what is queued, unless a batch is under way (it picks this up next). */
  kick(): void {
    if (this.running || !this.mayRun() || isEmptyPending(this.pending)) return;
    this.startedAt = Date.now();
    this.running = (async () => {
      try {
        while (this.mayRun() && !isEmptyPending(this.pending)) {
          const work = this.pending;
          this.pending = emptyPending();
          await this.apply(work);
        }
      } catch (err) {
        this.onError(err as Error);
      } finally {
        this.running = undefined;
      }
      this.kick();
    })();
  }

  /** How long the batch under way has taken so far (wall clock), 0 when none is. */
  busyFor(): number {
    return this.running ? Date.now() - this.startedAt : 0;
  }

  /** Resolves once every change queued so far has been applied. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }
}
