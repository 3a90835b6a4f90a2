// A per-key rate limit with the Workers Rate Limiting binding (configured in wrangler.toml). The
// binding says only yes or no, so Retry-After is the binding's period: the longest a client may wait.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

const PERIOD_SECONDS = "60";

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.RATE_LIMITER;
  if (limiter) {
    const { success } = await limiter.limit({ key: c.get("user").keyId });
    if (!success) {
      throw new ApiError({
        status: 429,
        type: "rate_limit_error",
        code: "rate_limit_exceeded",
        message: "Too many requests for this API key. Slow down and retry after the time in Retry-After.",
        headers: { "retry-after": PERIOD_SECONDS },
      });
    }
  }
  await next();
});
