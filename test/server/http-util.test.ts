// Query parsing of the read endpoints: one meaning per request, or a 400 that says what to send.
import { describe, expect, it } from "vitest";
import { HttpError, onlyParams, queryAge, queryBool, querySince, queryText } from "../../src/server/http-util.js";

const q = (s: string) => new URLSearchParams(s);
const refused = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    return (e as HttpError).message;
  }
  throw new Error("not refused");
};

describe("queryAge", () => {
  it("takes what status --active takes: a bare number of minutes, or a duration with units", () => {
    expect(queryAge(q("active=5"), "active")).toBe(5 * 60_000);
    expect(queryAge(q("active=0.5"), "active")).toBe(30_000);
    expect(queryAge(q("active=5m"), "active")).toBe(5 * 60_000);
    expect(queryAge(q("active=90s"), "active")).toBe(90_000);
    expect(queryAge(q("active=1h30m"), "active")).toBe(90 * 60_000);
    expect(queryAge(q(""), "active")).toBeUndefined();
  });

  it.each(["0x10", "1e3", "Infinity", "-1", "0", "0m", "", "0b11", "5 minutes"])("refuses %j, saying what to send, as status --active does", (v) => {
    expect(refused(() => queryAge(q(`active=${encodeURIComponent(v)}`), "active"))).toMatch(/^active must be (a duration like 10, 90s, 10m or 1h30m \(a bare number is minutes\)|longer than 0) \(got ".*"\)$/);
  });
});

describe("a parameter given twice", () => {
  it.each([
    ["agent", () => queryText(q("agent=main&agent=ops"), "agent")],
    ["problems", () => queryBool(q("problems=true&problems=false"), "problems")],
    ["active", () => queryAge(q("active=1&active=2"), "active")],
    ["since", () => querySince(q("since=1&since=2"))],
  ])("%s is refused as ambiguous", (name, f) => {
    expect(refused(f)).toBe(`${name} is given 2 times: give it once`);
  });
});

describe("onlyParams", () => {
  it("names the parameter it does not take and the ones it does", () => {
    expect(refused(() => onlyParams(q("problem=true"), ["agent", "problems"], "/api/sessions/heartbeat"))).toBe(
      '/api/sessions/heartbeat takes no parameter "problem" (it takes agent, problems)',
    );
    expect(() => onlyParams(q("agent=a&problems=1"), ["agent", "problems"], "/x")).not.toThrow();
  });
});
