// Where strict JSON text goes wrong, as line:col. Node 20's JSON.parse names a byte position
// for most errors but not all ("Unexpected token 'x', ... is not valid JSON" has none), so when
// it is missing a small validating scanner finds the offset. Used only on the failure path.

export function lineCol(text: string, offset: number): { line: number; col: number } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return { line, col: clamped - lastBreak };
}

/** Offset of the first JSON syntax error in `text` (text.length when it ends too early). */
export function jsonErrorOffset(text: string, err?: unknown): number {
  const m = err instanceof Error ? /at position (\d+)/.exec(err.message) : null;
  if (m) return Number(m[1]);
  return scanError(text);
}

function scanError(s: string): number {
  let i = 0;
  const ws = () => {
    while (i < s.length && " \t\n\r".includes(s[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === "{") {
      i++;
      ws();
      if (s[i] === "}") return void i++;
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        string();
        ws();
        if (s[i] !== ":") fail();
        i++;
        value();
        ws();
        if (s[i] === ",") i++;
        else if (s[i] === "}") return void i++;
        else fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (s[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (s[i] === ",") i++;
        else if (s[i] === "]") return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    for (const word of ["true", "false", "null"]) {
      if (s.startsWith(word, i)) return void (i += word.length);
    }
    const num = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    num.lastIndex = i;
    if (num.exec(s)) return void (i = num.lastIndex);
    fail();
  };
  const string = (): void => {
    i++;
    while (i < s.length) {
      const ch = s.charCodeAt(i);
      if (ch === 0x22) return void i++;
      if (ch < 0x20) fail();
      if (ch === 0x5c) {
        const esc = s[i + 1];
        if (esc === "u" && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) i += 6;
        else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else return void fail();
      } else i++;
    }
    fail();
  };
  try {
    value();
    ws();
    return i < s.length ? i : s.length;
  } catch (at) {
    return typeof at === "number" ? at : s.length;
  }
}
