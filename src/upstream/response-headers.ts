// Which of a host's response headers reach the client: an allowlist. A host answers on the router's
// origin, so anything that acts on the browser or the origin (Clear-Site-Data, Strict-Transport-Security,
// Content-Security-Policy, Refresh, Link, Location, Set-Cookie, CORS headers) must never pass: one
// `Clear-Site-Data: "storage"` would sign a user of the web page out and erase its local state. What
// passes is what clients use: the type, caching, Retry-After, and the request-id and rate-limit headers of
// llama-swap, OpenAI-style APIs and Anthropic.
import { sanitizeRetryAfter } from "./classify.ts";

const PASSED = new Set([
  "content-type",
  "cache-control",
  "content-disposition",
  "x-accel-buffering",
  "openai-processing-ms",
  "openai-version",
  "request-id",
]);
const PASSED_PREFIXES = ["x-ratelimit-", "anthropic-ratelimit-"];

/** Types a browser would run or render as a document on the router's origin. */
const ACTIVE_TYPE = /^\s*(text\/html|application\/xhtml|image\/svg|text\/xml|application\/xml|[^;]*\+xml)/i;

const passes = (name: string) => PASSED.has(name) || PASSED_PREFIXES.some((prefix) => name.startsWith(prefix));

export function clientHeaders(host: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of host) {
    if (passes(name) && value.length <= 1024) out.set(name, value);
  }
  const type = out.get("content-type");
  if (type !== null && ACTIVE_TYPE.test(type)) out.set("content-type", "text/plain; charset=utf-8");
  const retryAfter = sanitizeRetryAfter(host.get("retry-after"));
  if (retryAfter) out.set("retry-after", retryAfter);
  return out;
}
