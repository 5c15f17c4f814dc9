// DNS rebinding: a web page on evil.example can point its own name at 127.0.0.1 and have the
// browser send requests to a loopback server, reading every session. A server bound to loopback
// therefore answers only requests whose Host names loopback, and WebSockets (which browsers open
// cross-origin freely) only from a loopback or allowed Origin.
import net from "node:net";

/** A bind address that only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  if (net.isIPv6(h)) return h === "::1" || /^::ffff:127\./.test(h) || h === "0:0:0:0:0:0:0:1";
  return false;
}

/** The host name of a Host header (`127.0.0.1:9464`, `[::1]:9464`, `localhost`). */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.indexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * No Host at all is not a browser (every browser sends one; Node refuses HTTP/1.1 without it):
 * an HTTP/1.0 health check (HAProxy's default `option httpchk`) is answered.
 */
export function hostAllowed(hostHeader: string | undefined, loopbackBind: boolean): boolean {
  if (!loopbackBind || hostHeader === undefined) return true;
  return isLoopbackAddress(hostName(hostHeader));
}

/**
 * An Origin a WebSocket may come from: none (not a browser), the same origin as the Host, a
 * loopback page when bound to loopback, or one given with --cors-origin.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, loopbackBind: boolean, corsOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a file: page) and garbage
  }
  if (hostHeader && url.host.toLowerCase() === hostHeader.trim().toLowerCase()) return true;
  return loopbackBind && isLoopbackAddress(url.hostname);
}
