// The footer's key hints shorten to the room left on the line, never cut mid-word by the terminal.
import { describe, expect, it } from "vitest";
import { displayWidth } from "../../../src/ui/format.js";
import { KEY_HINTS, keyHint } from "../../../src/ui/watch/footer.js";

describe("keyHint", () => {
  it("the fullest hint that fits, shorter as the room shrinks, none when nothing fits", () => {
    expect(keyHint(undefined)).toBe(KEY_HINTS[0]);
    expect(keyHint(200)).toBe(KEY_HINTS[0]);
    const at80 = keyHint(80 - displayWidth("updated 2s ago") - displayWidth("  sort activity ↓"));
    expect(displayWidth(at80) + 2).toBeLessThanOrEqual(80 - 14 - 17);
    expect(at80).toMatch(/q quit$/);
    expect(keyHint(8)).toBe("? help");
    expect(keyHint(3)).toBe("");
  });
});
