// Where our own lock of an index and its owner record live (the writer takes them, store/writer/
// lock-own.ts). Readers need the names too: a `sessions.json.lock` our writer holds is not an era A
// gateway's, and serve waits for our write to end.

export function ownLockPath(realIndexPath: string): string {
  return `${realIndexPath}.openclaw-sessions.lock`;
}

/** {pid, starttime, hostname, acquiredAt} of the process holding ownLockPath */
export function ownLockOwnerPath(realIndexPath: string): string {
  return `${ownLockPath(realIndexPath)}.owner`;
}
