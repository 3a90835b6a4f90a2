// CORS for browser clients on other origins. Off unless CORS_ORIGINS lists exact origins; never `*`,
// and never Access-Control-Allow-Credentials: keys travel in the Authorization header, which the
// allowlist permits explicitly, so no cookie-style credentials are ever involved.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";

const ALLOWED_HEADERS =
  "authorization, x-api-key, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, content-type, accept, x-stainless-os, x-stainless-lang, x-stainless-package-version, x-stainless-runtime, x-stainless-runtime-version, x-stainless-arch, x-stainless-retry-count, x-stainless-timeout";
const EXPOSED_HEADERS =
  "x-request-id, x-llama-edge-provider, x-llama-edge-model, x-llama-edge-route, x-llama-edge-skipped, x-llama-edge-degraded, retry-after";

let parsed: { source: string; origins: Set<string> } | undefined;

function allowedOrigins(setting: string | undefined): Set<string> {
  const source = setting ?? "";
  if (parsed?.source !== source) {
    const origins = source
      .split(",")
      .map((o) => o.trim().replace(/\/+$/, ""))
      .filter((o) => o !== "" && o !== "*");
    parsed = { source, origins: new Set(origins) };
  }
  return parsed.origins;
}

export const cors = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  const allowed = origin !== undefined && allowedOrigins(c.env.CORS_ORIGINS).has(origin);
  if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
    // A preflight carries no key; answer it before authentication. A refused origin gets no CORS
    // headers, which is how a browser learns the answer is no.
    const headers: Record<string, string> = { vary: "Origin" };
    if (allowed) {
      headers["access-control-allow-origin"] = origin;
      headers["access-control-allow-methods"] = "GET, POST, PATCH, PUT, DELETE, OPTIONS";
      headers["access-control-allow-headers"] = ALLOWED_HEADERS;
      headers["access-control-max-age"] = "600";
    }
    return new Response(null, { status: 204, headers });
  }
  await next();
  if (allowed) {
    c.res.headers.set("access-control-allow-origin", origin);
    c.res.headers.set("access-control-expose-headers", EXPOSED_HEADERS);
    c.res.headers.append("vary", "Origin");
  }
});
