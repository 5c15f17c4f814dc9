import { describe, expect, it } from "vitest";
import { isConflict } from "../../src/commands/keepalive-tick.js";
import { refusalWhy } from "../../src/commands/cleanup.js";
import { CliError, EXIT, UnreadableError, WriteConflictError, WriteRefusedError } from "../../src/core/errors.js";
import { parseIndex } from "../../src/store/read-index.js";

describe("keepalive tells a lost race from a refusal by the error's type, not its words", () => {
  it("a WriteConflictError is a conflict whatever its message says", () => {
    expect(isConflict(new WriteConflictError("the store moved"))).toBe(true);
    expect(new WriteConflictError("x").exitCode).toBe(EXIT.writeRefused);
  });
  it("a refusal whose message happens to read like a race is still a refusal", () => {
    expect(isConflict(new WriteRefusedError("agent x kept changing its mind; is held by policy"))).toBe(false);
  });
  it("a busy lock is a conflict", () => {
    expect(isConflict(new CliError("busy", EXIT.busy))).toBe(true);
  });
});

describe("cleanup says once that nothing was written for an unreadable store", () => {
  it("does not repeat it when the reader already said so", () => {
    let err: unknown;
    try {
      parseIndex("{not json", "/s/sessions.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnreadableError);
    const why = refusalWhy(err as UnreadableError);
    expect(why.match(/nothing was/g)).toHaveLength(1);
  });
  it("adds it when the message does not say it, even if the path contains the words", () => {
    const why = refusalWhy(new UnreadableError("no session index at /srv/nothing was here/sessions.json"));
    expect(why).toMatch(/; nothing was written$/);
  });
});
