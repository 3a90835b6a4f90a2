// A per-key rate limit with the Workers Rate Limiting binding (configured in wrangler.toml): 600 requests
// a minute per key and location. The binding adds each call's `delta` to the key's count and says only
// yes or no, so Retry-After is the binding's period: the longest a client may wait.
//
// Asking the binding on every request cost about 0.7 ms under the local runtime and queued every request
// through one object (issue 16). So an isolate takes leases: one call asks for `delta` requests and a yes
// admits that many of the key here. A lease is sized to about LEASE_MS of the key's requests in this
// isolate, measured between two asks, within MIN_LEASE and MAX_LEASE: a key at the limit (10 a second)
// takes leases of about 10, a quiet key leases of MIN_LEASE, and only a flood far past the limit (or a
// benchmark with the limit raised) reaches MAX_LEASE and one call per MAX_LEASE requests.
// No request of a key in good standing waits for the binding: the next lease is asked for in the
// background once half of the current one is used, and while that answer is on its way the key may run
// up to one lease ahead (a debt the answer pays off). Only a key without a lease (its first request in
// this isolate, or the first after a refusal) waits.
// The tolerance, per key and window (the binding is approximate per location by design):
// - the binding grants a call while its count is below the limit, even if `delta` takes it past, and one
//   lease may run ahead of a refusal: up to two leases past 600;
// - a lease granted late in one window may be used at the start of the next;
// - an isolate the key's traffic leaves holds up to one and a half leases unused. Leases follow each
//   isolate's own share of the key's rate, so over k isolates that is about 1.5 s of the key's traffic
//   in all (MIN_LEASE each at the least), not k times a fixed lease.
// Once the binding says no, the key gets 429 in this isolate without asking again for NO_RECHECK_MS
// (requests already leased are still let through). A binding that fails to answer fails open.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

const PERIOD_SECONDS = "60";
/** The smallest lease: a key's first ask in an isolate, and every ask of a quiet key. */
export const MIN_LEASE = 4;
/** The largest lease: a tenth of the limit, so a flood is refused within a tenth of the limit. */
export const MAX_LEASE = 60;
/** A lease lasts about this long at the key's rate in this isolate. */
const LEASE_MS = 1_000;
/** How long a refused key is refused locally before the binding is asked again. */
const NO_RECHECK_MS = 1_000;
const MAX_KEYS = 10_000;

interface KeyState {
  /** Requests left of the leases granted; below zero while requests run ahead of an answer on its way. */
  left: number;
  /** The size of the lease asked for last: where the next refill starts, and how far the key may run ahead. */
  lease: number;
  /** Requests admitted since the last ask, and when that ask began: the key's rate here. */
  admitted: number;
  askedAt: number;
  /** The binding's last answer for the key was yes: it may run ahead of the next answer. */
  standing: boolean;
  /** Refused locally until then (epoch ms). */
  refusedUntil: number;
  /** The binding call under way: concurrent requests of the key wait for it instead of asking too. */
  asking?: Promise<void>;
}

const keys = new Map<string, KeyState>();
/** The binding's first failure in this isolate was logged (once: a failing binding fails every call). */
let warned = false;

/** Forgets every lease, refusal and the failure warning (tests). */
export function resetRateLimits(): void {
  keys.clear();
  warned = false;
}

/** About LEASE_MS of the requests admitted since the last ask, within the bounds. */
function nextLease(state: KeyState, now: number): number {
  if (state.askedAt === 0) return MIN_LEASE;
  const perLease = Math.ceil((state.admitted * LEASE_MS) / Math.max(now - state.askedAt, 1));
  return Math.min(MAX_LEASE, Math.max(MIN_LEASE, perLease));
}

function ask(limiter: RateLimit, key: string, state: KeyState): Promise<void> {
  if (state.asking) return state.asking;
  const now = Date.now();
  const delta = nextLease(state, now);
  state.lease = delta;
  state.admitted = 0;
  state.askedAt = now;
  let answer: Promise<RateLimitOutcome>;
  try {
    answer = limiter.limit({ key, delta });
  } catch (error) {
    answer = Promise.reject(error);
  }
  state.asking = answer
    .then(
      ({ success }) => {
        state.standing = success;
        if (success) state.left += delta;
        else state.refusedUntil = Date.now() + NO_RECHECK_MS;
      },
      (error: unknown) => {
        // The limit guards the hosts; no request's answer depends on it. A binding that fails (an outage,
        // a runtime without `delta`) lets the lease through instead of failing requests with 500, and is
        // asked again at the next lease.
        state.standing = true;
        state.left += delta;
        if (!warned) console.warn(`RATE_LIMITER failed, requests pass unlimited until it answers: ${String(error)}`);
        warned = true;
      },
    )
    .finally(() => (state.asking = undefined));
  return state.asking;
}

async function admit(limiter: RateLimit, key: string, waitUntil: (work: Promise<unknown>) => void): Promise<boolean> {
  let state = keys.get(key);
  if (!state) {
    if (keys.size >= MAX_KEYS) keys.clear();
    state = { left: 0, lease: MIN_LEASE, admitted: 0, askedAt: 0, standing: false, refusedUntil: 0 };
    keys.set(key, state);
  }
  for (;;) {
    const leased = state.left > 0;
    if (!leased && Date.now() < state.refusedUntil) return false;
    if (leased || (state.standing && state.asking && state.left > -state.lease)) {
      state.left--;
      state.admitted++;
      // Kept alive past this request's answer (ask never rejects: a failing binding fails open).
      if (state.left <= state.lease / 2 && !state.asking && state.standing) waitUntil(ask(limiter, key, state));
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
