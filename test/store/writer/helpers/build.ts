// Child processes cannot use vitest's TypeScript loader: compile the writer (and only what it
// imports) to a private directory inside node_modules, so `proper-lockfile` still resolves.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const REPO = path.resolve(import.meta.dirname, "../../../..");
export const FIXTURES = path.join(REPO, "test/fixtures/writers");

export function buildWriter(): { modulePath: string; cleanup(): void } {
  const cache = path.join(REPO, "node_modules", ".cache");
  fs.mkdirSync(cache, { recursive: true });
  const outDir = fs.mkdtempSync(path.join(cache, "ocs-writer-build-"));
  const tsc = path.join(REPO, "node_modules/typescript/bin/tsc");
  const args = [
    tsc,
    "--outDir", outDir,
    "--rootDir", REPO,
    "--module", "NodeNext",
    "--moduleResolution", "NodeNext",
    "--target", "ES2022",
    "--strict",
    "--skipLibCheck",
    "--esModuleInterop",
    "--types", "node",
    path.join(REPO, "src/store/writer/index.ts"),
  ];
  try {
    execFileSync(process.execPath, args, { cwd: REPO, stdio: "pipe" });
  } catch (err) {
    // type errors still emit; only a missing output is fatal
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? "";
    if (!fs.existsSync(path.join(outDir, "src/store/writer/index.js"))) throw new Error(`tsc failed:\n${out}`);
  }
  return {
    modulePath: path.join(outDir, "src/store/writer/index.js"),
    cleanup: () => fs.rmSync(outDir, { recursive: true, force: true }),
  };
}
