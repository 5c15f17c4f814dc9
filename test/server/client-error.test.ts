import { describe, expect, it } from "vitest";
import { clientErrorAnswer } from "../../src/server/client-error.js";

describe("clientErrorAnswer", () => {
  it.each(["ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT", "HPE_INVALID_EOF_STATE"])("%s: the client went away, nothing is answered or counted", (code) => {
    expect(clientErrorAnswer({ code, message: code })).toBeUndefined();
  });

  it("a request whose headers did not arrive in time is a 408, as Node answers it, not a 400", () => {
    expect(clientErrorAnswer({ code: "ERR_HTTP_REQUEST_TIMEOUT", message: "Request timeout" })).toMatchObject({ status: 408, code: "request_timeout" });
  });

  it("headers over the limit are a 431; anything else the parser refused is a 400 naming its code", () => {
    expect(clientErrorAnswer({ code: "HPE_HEADER_OVERFLOW", message: "x" })).toMatchObject({ status: 431, code: "headers_too_large" });
    expect(clientErrorAnswer({ code: "HPE_INVALID_METHOD", message: "x" })).toEqual({ status: 400, code: "bad_request", message: "malformed request (HPE_INVALID_METHOD)" });
    expect(clientErrorAnswer({ message: "odd" })).toMatchObject({ status: 400, message: "malformed request (odd)" });
  });
});
