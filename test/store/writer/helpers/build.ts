// Child processes cannot use vitest's TypeScript loader: they import the writer from the build
// (`npm run build`, which `npm test` runs first, as the e2e tests need it too). A private tsc
// compile per test file cost seconds of CPU the other test files were waiting for.
import fs from "node:fs";
import path from "node:path";

export const REPO = path.resolve(import.meta.dirname, "../../../..");
export const FIXTURES = path.join(REPO, "test/fixtures/writers");

export function buildWriter(): { modulePath: string; cleanup(): void } {
  const modulePath = path.join(REPO, "dist/src/store/writer/index.js");
  if (!fs.existsSync(modulePath)) {
    throw new Error(`the writer tests run the built writer, but ${modulePath} is missing: run \`npm run build\` (or \`npm test\`, which builds first)`);
  }
  return { modulePath, cleanup: () => {} };
}
