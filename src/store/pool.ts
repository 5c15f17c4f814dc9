// A bounded-concurrency map: hundreds of sessions, each a few small reads, without opening
// hundreds of descriptors at once.

export const DEFAULT_CONCURRENCY = 32;

/** fn over every item with at most `limit` in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, limit = DEFAULT_CONCURRENCY): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
