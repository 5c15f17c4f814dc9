import { describe, expect, it } from "vitest";
import { selected } from "../../bench/all.js";

describe("npm run bench runs every benchmark unless told which", () => {
  it("runs the file-era, era C and serve benches in that order by default", () => {
    expect(selected([])).toEqual(["files", "era-c", "serve"]);
  });

  it("--only picks some, and refuses a name it does not know", () => {
    expect(selected(["--only", "serve,files"])).toEqual(["serve", "files"]);
    expect(() => selected(["--only", "serve,nope"])).toThrow('--only takes files, era-c, serve (got "serve,nope")');
    expect(() => selected(["--only"])).toThrow("--only takes");
  });
});
