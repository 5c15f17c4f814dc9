// The strict read the writer works from: the exact bytes, their parse, and the stat signature
// the rename will be checked against. Anything but a JSON object is refused, never "read as {}".
import fs from "node:fs";
import { WriteRefusedError } from "../../core/errors.js";
import { NotRegularFileError, readRegularFileSync, startsWithBom } from "../regular-file.js";

export interface Signature {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface IndexRead {
  bytes: Buffer;
  obj: Record<string, unknown>;
  sig: Signature;
  mode: number;
  uid: number;
  gid: number;
  /** the file ended with a newline: keep it that way (OpenClaw writes none) */
  trailingNewline: boolean;
}

export function signatureOf(file: string): Signature {
  const st = fs.statSync(file, { bigint: true });
  return { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

// Size and mtime are compared as well as the inode: ext4 hands a freed inode number out again at once.
export function sameSignature(a: Signature, b: Signature): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** undefined when the index does not exist. */
export function readIndexStrict(file: string): IndexRead | undefined {
  let bytes: Buffer | undefined;
  let sig: Signature | undefined;
  let st: fs.Stats | undefined;
  try {
    // a stat either side of the read proves the bytes belong to one version of the file
    for (let i = 0; i < 5; i++) {
      const before = signatureOf(file);
      // never fs.readFileSync: a FIFO at the name would block open(2), deaf to signals
      bytes = readRegularFileSync(file);
      if (!bytes) return undefined;
      st = fs.statSync(file);
      sig = signatureOf(file);
      if (sameSignature(before, sig)) break;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (err instanceof NotRegularFileError) throw new WriteRefusedError(`${err.message}; nothing written`);
    throw new WriteRefusedError(`cannot read ${file}: ${(err as Error).message}; nothing written`);
  }
  if (!bytes || !sig || !st) throw new WriteRefusedError(`cannot read ${file}; nothing written`);
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) {
    throw new WriteRefusedError(`${file} is not valid UTF-8; refusing to rewrite it (nothing written)`);
  }
  if (startsWithBom(bytes)) {
    throw new WriteRefusedError(`${file} starts with a byte-order mark (UTF-8 BOM), which OpenClaw's own reader cannot parse; remove the first 3 bytes (nothing written)`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new WriteRefusedError(
      `${file} does not parse as JSON (${(err as Error).message}); refusing to write. Repair it or restore a sessions.json.bak.* first`,
    );
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new WriteRefusedError(`${file} is not a JSON object of sessions; refusing to write (nothing written)`);
  }
  const record = obj as Record<string, unknown>;
  const trailingNewline = text.endsWith("\n");
  return {
    bytes,
    obj: record,
    sig,
    mode: st.mode & 0o777,
    uid: st.uid,
    gid: st.gid,
    trailingNewline,
  };
}

/** OpenClaw's format: JSON.stringify(store, null, 2), no trailing newline. */
export function serializeIndex(obj: Record<string, unknown>, trailingNewline: boolean): Buffer {
  return Buffer.from(JSON.stringify(obj, null, 2) + (trailingNewline ? "\n" : ""), "utf8");
}

/** The bytes are exactly what OpenClaw's own serialization gives (else a rewrite reformats). */
export function isCanonical(bytes: Buffer, trailingNewline: boolean): boolean {
  try {
    return serializeIndex(JSON.parse(bytes.toString("utf8")), trailingNewline).equals(bytes);
  } catch {
    return false;
  }
}

export function entryCount(obj: Record<string, unknown>): number {
  return Object.keys(obj).length;
}
