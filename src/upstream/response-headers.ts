// Which of a host's response headers reach the client. The host's own headers mostly pass (a hosted
// API's rate-limit headers are useful to clients); dropped are cookies, headers that identify the
// host's infrastructure, hop-by-hop headers, and CORS headers, because CORS is the router's decision
// (llama-swap answers `Access-Control-Allow-Origin: *`, which would bypass the router's allowlist).

const DROPPED = new Set([
  "set-cookie",
  "server",
  "via",
  "alt-svc",
  "nel",
  "report-to",
  // Hop-by-hop, or no longer true once the runtime has decoded the body.
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "trailer",
  "content-length",
  "content-encoding",
]);

function dropped(name: string): boolean {
  return DROPPED.has(name) || name.startsWith("cf-") || name.startsWith("access-control-");
}

export function clientHeaders(host: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of host) if (!dropped(name)) out.append(name, value);
  return out;
}

export function isEventStream(contentType: string | null): boolean {
  return (contentType ?? "").toLowerCase().startsWith("text/event-stream");
}

/** What every SSE response carries so that no proxy on the way (nginx, Cloudflare) buffers it. */
export function markAsEventStream(headers: Headers): void {
  headers.set("content-type", "text/event-stream");
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no");
}
