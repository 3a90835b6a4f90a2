// A per-key rate limit with the Workers Rate Limiting binding (configured in wrangler.toml). The
// binding says only yes or no, so Retry-After is the binding's period: the longest a client may wait.
//
// Every request is counted, but a key whose last answer (in this isolate, under a second old) was
// yes is let through at once and counted in the background: the limiter then costs the hot path
// nothing. The binding is approximate by design (counted per location, synced in the background), so
// letting the requests already in flight when a key crosses its limit through changes nothing a
// client could rely on. After a no, every request waits for the limiter's answer again.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

const PERIOD_SECONDS = "60";
const TRUST_YES_MS = 1_000;
const lastYes = new Map<string, number>();

const tooMany = () =>
  new ApiError({
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
    message: "Too many requests for this API key. Slow down and retry after the time in Retry-After.",
    headers: { "retry-after": PERIOD_SECONDS },
  });

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.RATE_LIMITER;
  if (limiter) {
    const key = c.get("user").keyId;
    const answer = limiter.limit({ key }).then(({ success }) => {
      if (success) {
        if (lastYes.size > 10_000) lastYes.clear();
        lastYes.set(key, Date.now());
      } else lastYes.delete(key);
      return success;
    });
    const yesAt = lastYes.get(key);
    if (yesAt !== undefined && Date.now() - yesAt < TRUST_YES_MS) c.executionCtx.waitUntil(answer.catch(() => {}));
    else if (!(await answer)) throw tooMany();
  }
  await next();
});
