// Plain `status` must not load the gateway overlay or its WebSocket client: they are imported
// only when --gateway asks for them. Follows the static imports of the source from status.ts.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

/** Every source file reachable from `entry` through static `import`/`export ... from` (not `import()`). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"(\.[^"]+)"/gms)) {
      const target = path.resolve(path.dirname(file), m[1]).replace(/\.js$/, "");
      const found = [".ts", ".tsx"].map((ext) => target + ext).find((f) => fs.existsSync(f));
      if (found) visit(found);
    }
  };
  visit(entry);
  return new Set([...seen].map((f) => path.relative(SRC, f)));
}

describe("status without --gateway", () => {
  it("does not statically import the gateway overlay, its client or its frames", () => {
    const graph = staticGraph(path.join(SRC, "commands/status.ts"));
    expect(graph.has("commands/status-gateway.ts")).toBe(true);
    for (const lazy of ["gateway/open-overlay.ts", "gateway/client.ts", "gateway/frames.ts", "gateway/handshake.ts"]) expect(graph.has(lazy), lazy).toBe(false);
  });
});

/** Bare (package or node:) specifiers the files of `graph` import statically. */
function bareImports(graph: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const file of graph) {
    const text = fs.readFileSync(path.join(SRC, file), "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"([^".][^"]*)"/gms)) out.add(m[1]);
  }
  return out;
}

describe("status --json", () => {
  it("statically imports no table, no chalk and no node:http (an ES import of node:http loads all of undici)", () => {
    const graph = staticGraph(path.join(SRC, "commands/status.ts"));
    expect(graph.has("ui/status-table.ts")).toBe(false);
    expect(graph.has("ui/snapshot.ts")).toBe(false);
    const bare = bareImports(graph);
    expect(bare.has("commander")).toBe(true);
    expect(bare.has("chalk")).toBe(false);
    expect(bare.has("node:http")).toBe(false);
  });
});
