// Authentication for the two audiences: users (API keys) and operators (the ADMIN_TOKEN secret).
// Every failure gives the same 401 body, so a caller learns nothing about why a key was refused.
// Operators present ADMIN_TOKEN as a Bearer token only; users may also use x-api-key.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { unauthorized } from "../errors.ts";
import { verifyKey } from "./api-keys.ts";
import { timingSafeEqual } from "./timing-safe.ts";

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * The user's key: `Authorization: Bearer <key>` (OpenAI clients, Claude Code's ANTHROPIC_AUTH_TOKEN) or
 * `x-api-key: <key>` (Anthropic's SDKs). When Authorization is sent it alone counts, so a request
 * never carries two keys that could disagree about who is asking. Neither header ever reaches a host:
 * the transport sends only the headers it names (upstream/transport.ts).
 */
function userKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  if (authorization !== undefined) return bearer(authorization);
  const key = apiKey?.trim();
  return key && !/\s/.test(key) ? key : undefined;
}

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const presented = userKey(c.req.header("authorization"), c.req.header("x-api-key"));
  const user = presented
    ? await verifyKey(c.env, presented, c.req.header("cf-connecting-ip"), Date.now(), (work) => c.executionCtx.waitUntil(work))
    : undefined;
  if (!user) throw unauthorized();
  c.set("user", user);
  c.get("log").user = user.userId;
  c.get("log").key = user.keyId;
  await next();
});

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const presented = bearer(c.req.header("authorization"));
  const token = c.env.ADMIN_TOKEN;
  // An unset or short ADMIN_TOKEN disables the admin API rather than opening it.
  if (!presented || !token || token.length < 16 || !timingSafeEqual(presented, token)) throw unauthorized();
  c.get("log").user = "admin";
  await next();
});
