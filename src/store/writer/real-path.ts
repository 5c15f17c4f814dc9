// Where an index really is: locks, backups and the rename all go to this path.
import fs from "node:fs";
import path from "node:path";

export function realIndexPath(storePath: string): string {
  try {
    return fs.realpathSync(storePath);
  } catch {
    // a missing index: its directory's real path, so locks land where the gateway's do
    try {
      return path.join(fs.realpathSync(path.dirname(storePath)), path.basename(storePath));
    } catch {
      return path.resolve(storePath);
    }
  }
}
