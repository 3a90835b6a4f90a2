// A per-key rate limit with the Workers Rate Limiting binding (configured in wrangler.toml), 600
// requests a minute per key and location. The binding counts one per call and says only yes or no,
// so Retry-After is the binding's period: the longest a client may wait.
//
// Asking the binding on every request cost about 0.7 ms under the local runtime and queued every
// request through one object (issue 16). So each isolate asks it once per REQUESTS_PER_CALL requests
// of a key: a yes is a lease of that many requests, and the binding's limit in wrangler.toml is the
// limit divided by REQUESTS_PER_CALL (60 leases of 10). No request of a key in good standing waits for
// the binding: the next lease is asked for in the background once half of the current one is used, and
// while that answer is on its way the key may run up to one lease ahead (a debt the answer pays off).
// Only a key without a lease (its first request in this isolate, or the first after a refusal) waits.
// The tolerance, per key and window:
// - one isolate admits between 600 and 619 requests (a lease taken late in one window may be used at
//   the start of the next, and up to one lease may be admitted ahead of a refusal);
// - spread over k isolates, up to 9 unused requests of each isolate's lease are counted but not used,
//   and up to 19 per isolate spill over: the limit lies between 600 - 9k and 600 + 19k.
// Once the binding says no, the key gets 429 in this isolate without asking again for NO_RECHECK_MS
// (requests already leased are still let through).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

const PERIOD_SECONDS = "60";
/** Requests one yes from the binding admits; wrangler.toml's `limit` is 600 / this. */
export const REQUESTS_PER_CALL = 10;
/** How long a refused key is refused locally before the binding is asked again. */
const NO_RECHECK_MS = 1_000;
const MAX_KEYS = 10_000;

/** When this many requests of a lease are left, the next lease is asked for in the background. */
const REFILL_AT = REQUESTS_PER_CALL / 2;

interface KeyState {
  /** Requests left of the leases granted; below zero while requests run ahead of an answer on its way. */
  left: number;
  /** The binding's last answer for the key was yes: it may run ahead of the next answer. */
  standing: boolean;
  /** Refused locally until then (epoch ms). */
  refusedUntil: number;
  /** The binding call under way: concurrent requests of the key wait for it instead of asking too. */
  asking?: Promise<void>;
}

const keys = new Map<string, KeyState>();

/** Forgets every lease and refusal (tests). */
export function resetRateLimits(): void {
  keys.clear();
}

function ask(limiter: RateLimit, key: string, state: KeyState): Promise<void> {
  state.asking ??= limiter
    .limit({ key })
    .then(({ success }) => {
      state.standing = success;
      if (success) state.left += REQUESTS_PER_CALL;
      else state.refusedUntil = Date.now() + NO_RECHECK_MS;
    })
    .finally(() => (state.asking = undefined));
  return state.asking;
}

async function admit(limiter: RateLimit, key: string, waitUntil: (work: Promise<unknown>) => void): Promise<boolean> {
  let state = keys.get(key);
  if (!state) {
    if (keys.size >= MAX_KEYS) keys.clear();
    state = { left: 0, standing: false, refusedUntil: 0 };
    keys.set(key, state);
  }
  for (;;) {
    const leased = state.left > 0;
    if (!leased && Date.now() < state.refusedUntil) return false;
    if (leased || (state.standing && state.asking && state.left > -REQUESTS_PER_CALL)) {
      state.left--;
      // Kept alive past this request's answer; a failed call only means the next request asks again.
      if (state.left <= REFILL_AT && !state.asking && state.standing) waitUntil(ask(limiter, key, state).catch(() => {}));
      return true;
    }
    await ask(limiter, key, state);
  }
}

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.RATE_LIMITER;
  if (limiter && !(await admit(limiter, c.get("user").keyId, (work) => c.executionCtx.waitUntil(work)))) {
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
