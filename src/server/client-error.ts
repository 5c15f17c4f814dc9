// What serve answers when Node's HTTP parser gives up on a connection ('clientError'): a request
// that could not be parsed, or took too long to arrive, gets the status Node itself would send;
// a connection the client dropped carried no request, so nothing is answered, counted or logged.
import type { ErrorCode } from "./http-util.js";

export interface ClientErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
}

/**
 * Socket errors of a client that went away: no request to answer. HPE_INVALID_EOF_STATE is the
 * parser meeting the client's end of stream in the middle of a request: it hung up mid-headers.
 */
const GONE = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT", "ERR_STREAM_DESTROYED", "HPE_INVALID_EOF_STATE"]);

/** undefined: the client left, there is nothing to answer; otherwise what to send and count. */
export function clientErrorAnswer(err: { code?: string; message: string }): ClientErrorAnswer | undefined {
  if (err.code !== undefined && GONE.has(err.code)) return undefined;
  if (err.code === "HPE_HEADER_OVERFLOW") return { status: 431, code: "headers_too_large", message: "request headers too large (16 KB at most)" };
  // Node's headersTimeout / requestTimeout: the request did not arrive in time (a slow or stuck client)
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, code: "request_timeout", message: "the request did not arrive in time" };
  return { status: 400, code: "bad_request", message: `malformed request (${err.code ?? err.message})` };
}
