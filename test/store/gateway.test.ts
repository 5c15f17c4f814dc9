import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findGatewayLock, gatewayLockDir, gatewayLockPath, probeHealthz, readGateway } from "../../src/store/gateway.js";
import { readProcStartTime } from "../../src/store/proc.js";
import { makeTempDir, writeGatewayLock } from "../fixtures/store-builder.js";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";

const T0 = Date.parse("2026-11-21T20:33:09.885Z");
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bind, read, close. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("gateway lock path", () => {
  it("is <tmp>/openclaw-<uid>/gateway.<sha256(configPath)[:8]>.lock", () => {
    const tmp = "/x/tmp";
    const hash = createHash("sha256").update("/home/me/.openclaw/openclaw.json").digest("hex").slice(0, 8);
    expect(gatewayLockPath("/home/me/.openclaw/openclaw.json", tmp)).toBe(path.join(tmp, `openclaw-${process.getuid!()}`, `gateway.${hash}.lock`));
    expect(gatewayLockDir(tmp)).toBe(path.join(tmp, `openclaw-${process.getuid!()}`));
  });
});

describe("readGateway", () => {
  it("reads the lock at the hash path: pid alive, startedAt, port", async () => {
    const tmp = makeTempDir();
    const configPath = "/state/openclaw.json";
    const lock = writeGatewayLock(tmp, configPath, { pid: process.pid, createdAt: T0, port: 18999, startTime: readProcStartTime(process.pid) });
    expect(lock).toBe(gatewayLockPath(configPath, tmp));
    const g = await readGateway({ configPath, tmpDir: tmp, probe: false });
    expect(g).toEqual({ lockPath: lock, pid: process.pid, startedAt: T0, alive: true, port: 18999, probe: "skipped" });
  });

  it("a lock whose pid was reused is not alive", async () => {
    const tmp = makeTempDir();
    writeGatewayLock(tmp, "/c.json", { pid: process.pid, createdAt: T0, startTime: readProcStartTime(process.pid)! + 1 });
    expect((await readGateway({ configPath: "/c.json", tmpDir: tmp, probe: false })).alive).toBe(false);
  });

  it("finds a lock under another hash that names our config path", async () => {
    const tmp = makeTempDir();
    const lock = writeGatewayLock(tmp, "/c.json", { pid: process.pid, createdAt: T0 }, "gateway.deadbeef.lock");
    writeGatewayLock(tmp, "/other.json", { pid: 1, createdAt: T0 }, "gateway.00000000.lock");
    expect(findGatewayLock("/c.json", tmp)?.lockPath).toBe(lock);
    expect(findGatewayLock("/nope.json", tmp)).toBeUndefined();
  });

  it("finds the lock of a gateway run by another user (its uid's dir), at our config path's hash", async () => {
    const tmp = makeTempDir();
    const configPath = "/home/operator/.openclaw/openclaw.json";
    const ours = gatewayLockPath(configPath, tmp);
    const theirs = path.join(tmp, `openclaw-${process.getuid!() + 4242}`, path.basename(ours));
    fs.mkdirSync(path.dirname(theirs), { recursive: true });
    fs.writeFileSync(theirs, JSON.stringify({ pid: process.pid, createdAt: new Date(T0).toISOString(), startTime: readProcStartTime(process.pid) }));
    // another name in their dir is another config's gateway, and a look-alike dir is not a uid's
    fs.writeFileSync(path.join(path.dirname(theirs), "gateway.00000000.lock"), JSON.stringify({ pid: 1 }));
    fs.mkdirSync(path.join(tmp, "openclaw-state-locks-0"));
    fs.writeFileSync(path.join(tmp, "openclaw-state-locks-0", path.basename(ours)), JSON.stringify({ pid: 1 }));
    const g = await readGateway({ configPath, tmpDir: tmp, probe: false });
    expect(g).toMatchObject({ lockPath: theirs, pid: process.pid, alive: true });
    expect(findGatewayLock("/other/openclaw.json", tmp)).toBeUndefined();
  });

  it("no lock, no probe: not alive, the configured port, probe skipped", async () => {
    expect(await readGateway({ configPath: "/c.json", tmpDir: makeTempDir(), port: 18789, probe: false })).toEqual({ alive: false, port: 18789, probe: "skipped" });
  });

  it("probes /healthz on the lock's port", async () => {
    const seen: string[] = [];
    const port = await serve((req, res) => {
      seen.push(req.url ?? "");
      res.writeHead(req.url === "/healthz" ? 200 : 404).end("ok");
    });
    const tmp = makeTempDir();
    writeGatewayLock(tmp, "/c.json", { pid: process.pid, createdAt: T0, port });
    const g = await readGateway({ configPath: "/c.json", tmpDir: tmp, port: 1 });
    expect(g.probe).toBe("ok");
    expect(g.port).toBe(port);
    expect(seen).toEqual(["/healthz"]);
  });

  it("probe fails on an error status, a closed port and a server that never answers", async () => {
    const bad = await serve((_req, res) => res.writeHead(503).end());
    expect(await probeHealthz(bad)).toBe("failed");
    expect(await probeHealthz(await closedPort())).toBe("failed");
    const silent = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    expect(await probeHealthz(silent, 200)).toBe("failed");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reads the real captured lock body (dead owner)", async () => {
    const tmp = makeTempDir();
    const src = path.join(REAL_OPENCLAW, "s2-live-waiting-model/gateway-lock/gateway.9519d10a.lock");
    fs.mkdirSync(gatewayLockDir(tmp), { recursive: true });
    fs.copyFileSync(src, path.join(gatewayLockDir(tmp), "gateway.9519d10a.lock"));
    const g = await readGateway({ configPath: "/home/operator/.openclaw/openclaw.json", tmpDir: tmp, probe: false });
    expect(g.pid).toBe(23939);
    expect(g.port).toBe(18999);
    expect(g.startedAt).toBe(T0);
  });
});
