// Authentication for the two audiences: users (API keys) and operators (the ADMIN_TOKEN secret).
// Every failure gives the same 401 body, so a caller learns nothing about why a key was refused.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { unauthorized } from "../errors.ts";
import { verifyKey } from "./api-keys.ts";
import { timingSafeEqual } from "./timing-safe.ts";

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const presented = bearer(c.req.header("authorization"));
  const user = presented ? await verifyKey(c.env, presented, c.req.header("cf-connecting-ip")) : undefined;
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
