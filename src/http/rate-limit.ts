// A per-key rate limit with the Workers Rate Limiting binding (configured in wrangler.toml), 600
// requests a minute per key and location. The binding counts one per call and says only yes or no,
// so Retry-After is the binding's period: the longest a client may wait.
//
// Asking the binding on every request cost about 0.7 ms under the local runtime and queued every
// request through one object (issue 16). So each isolate asks it once per REQUESTS_PER_CALL requests
// of a key: a yes is a lease of that many requests, and the binding's limit in wrangler.toml is the
// limit divided by REQUESTS_PER_CALL (60 leases of 10). The tolerance, per key and window:
// - one isolate admits between 600 and 609 requests (a lease taken late in one window may be
//   used at the start of the next);
// - spread over k isolates, up to 9 unused requests of each isolate's lease are counted but not used,
//   and up to 9 per isolate spill into the next window: the limit lies between 600 - 9k and 600 + 9k.
// Once the binding says no, the key gets 429 in this isolate without asking again for NO_RECHECK_MS.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

const PERIOD_SECONDS = "60";
/** Requests one yes from the binding admits; wrangler.toml's `limit` is 600 / this. */
export const REQUESTS_PER_CALL = 10;
/** How long a refused key is refused locally before the binding is asked again. */
const NO_RECHECK_MS = 1_000;
const MAX_KEYS = 10_000;

interface KeyState {
  /** Requests left of the current lease. */
  left: number;
  /** Refused locally until then (epoch ms). */
  refusedUntil: number;
  /** The binding call under way: concurrent requests of the key wait for it instead of asking too. */
  asking?: Promise<unknown>;
}

const keys = new Map<string, KeyState>();

/** Forgets every lease and refusal (tests). */
export function resetRateLimits(): void {
  keys.clear();
}

async function admit(limiter: RateLimit, key: string): Promise<boolean> {
  let state = keys.get(key);
  if (!state) {
    if (keys.size >= MAX_KEYS) keys.clear();
    state = { left: 0, refusedUntil: 0 };
    keys.set(key, state);
  }
  for (;;) {
    if (state.left > 0) {
      state.left--;
      return true;
    }
    if (Date.now() < state.refusedUntil) return false;
    if (!state.asking) {
      const s = state;
      s.asking = limiter
        .limit({ key })
        .then(({ success }) => {
          if (success) s.left += REQUESTS_PER_CALL;
          else s.refusedUntil = Date.now() + NO_RECHECK_MS;
        })
        .finally(() => (s.asking = undefined));
    }
    await state.asking;
  }
}

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.RATE_LIMITER;
  if (limiter && !(await admit(limiter, c.get("user").keyId))) {
    throw new ApiError({
      status: 429,
      type: "rate_limit_error",
      code: "rate_limit_exceeded",
      message: "Too many requests for this API key. Slow down and retry after the time in Retry-After.",
      headers: { "retry-after": PERIOD_SECONDS },
    });
  }
  await next();
});
