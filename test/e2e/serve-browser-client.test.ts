// The 20-line browser client of docs/serve.md, run as written (its <script> taken from the doc)
// against the built `serve`, with the `ws` package's WebSocket and node's fetch standing in for
// the browser's: it shows every session, follows a run, and catches up after a dropped socket.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { REPO_ROOT, useOwners } from "./helpers/cli.js";
import { serveIdle, until, useServeCleanup } from "./helpers/serve.js";
import { callTool, KEY, OTHER_KEY, startRun } from "./watch-fixture.js";

useServeCleanup();
const { live } = useOwners();

function docClient(): string {
  const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/serve.md"), "utf8");
  const section = doc.slice(doc.indexOf("## A browser client in 20 lines"));
  const html = section.slice(section.indexOf("```html") + 7, section.indexOf("```", section.indexOf("```html") + 7));
  expect(html.trim().split("\n").length).toBeLessThanOrEqual(22);
  return html.slice(html.indexOf('<script type="module">') + 22, html.indexOf("</script>"));
}

describe("the browser client in docs/serve.md", () => {
  it("shows every session, follows a run starting, and catches up after its socket drops", async () => {
    const { state, srv } = await serveIdle(["--cors-origin", "http://localhost:8000"]);
    const script = docClient().replace('const base = "http://127.0.0.1:18960"', `const base = ${JSON.stringify(srv.url)}`);
    expect(script).toContain(srv.url);
    const out = { textContent: "" };
    const sockets: WebSocket[] = [];
    const context = vm.createContext({
      fetch,
      URLSearchParams,
      setTimeout,
      WebSocket: class extends WebSocket {
        constructor(url: string) {
          super(url, { origin: "http://localhost:8000" });
          sockets.push(this);
        }
      },
      document: { getElementById: (id: string) => (id === "out" ? out : null) },
    });
    try {
      vm.runInContext(script, context);
      await until(() => out.textContent.includes(KEY) && out.textContent.includes(OTHER_KEY), () => `the table: ${out.textContent}`);
      startRun(state, live);
      await until(() => /waiting\s+awaiting_model\s+agent:main:main/.test(out.textContent), () => `the table: ${out.textContent}`);
      // the socket drops; what happens meanwhile arrives once it has reconnected with since
      sockets[0].close();
      callTool(state, "exec");
      await until(() => /active\s+tool_exec\s+agent:main:main/.test(out.textContent), () => `the table: ${out.textContent}`);
      expect(sockets.length).toBe(2);
    } finally {
      for (const s of sockets) {
        s.onclose = null;
        s.terminate();
      }
    }
  });
});
