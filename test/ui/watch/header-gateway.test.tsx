// The watch header says whether the gateway overlay refines the rows (watch --gateway).
import React from "react";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayIndicator } from "../../../src/ui/watch/source.js";
import { gatewayMarkText } from "../../../src/ui/watch/header.js";
import { WatchApp } from "../../../src/ui/watch/watch-app.js";
import { FakeSource, NOW, oneOfEach, waitFor } from "../fixtures.js";

const mounted: ReturnType<typeof render>[] = [];
afterEach(() => {
  for (const r of mounted.splice(0)) r.unmount();
});

class GatewaySource extends FakeSource {
  indicator: GatewayIndicator = { connected: false, reason: "no gateway is running" };
  gateway(): GatewayIndicator {
    return this.indicator;
  }
}

describe("the gateway mark in the watch header", () => {
  it("reads live with the protocol, connecting before the first answer, or off with the reason", () => {
    expect(gatewayMarkText({ connected: false })).toBe("  · gateway connecting, files only");
    expect(gatewayMarkText({ connected: true, protocol: 4 })).toBe("  · gateway live (protocol 4)");
    expect(gatewayMarkText({ connected: false, reason: "silent for 60000 ms" })).toBe("  · gateway off, files only: silent for 60000 ms");
  });

  it("follows the overlay's connection on the next update", async () => {
    const source = new GatewaySource(oneOfEach());
    const r = render(<WatchApp source={source} now={() => NOW} rows={30} columns={160} />);
    mounted.push(r);
    const frame = () => r.lastFrame() ?? "";
    await waitFor(() => frame().includes("gateway off, files only: no gateway is running"), frame);
    source.indicator = { connected: true, protocol: 3 };
    source.push(source.list);
    await waitFor(() => frame().includes("gateway live (protocol 3)"), frame);
  });

  it("a view without --gateway shows no mark", async () => {
    const r = render(<WatchApp source={new FakeSource(oneOfEach())} now={() => NOW} rows={30} columns={160} />);
    mounted.push(r);
    await waitFor(() => (r.lastFrame() ?? "").includes("sessions"), () => r.lastFrame() ?? "");
    expect(r.lastFrame()).not.toContain("gateway");
  });
});
