// Circuit breakers, per isolate. After 3 availability failures in a row (refused, reset, 502, 503, 530,
// first-byte timeout) requests are skipped for 30 s: they fail fast (or go to a fallback) instead of each
// waiting on a dead tunnel. Then ONE request probes; its outcome closes or reopens the circuit.
//
// Two scopes, so that one broken model does not close a healthy host: a failure of the connection itself
// (refused, reset, tunnel down, Cloudflare answering for the origin) counts against the whole host
// (`hostKey`); a failure the host itself answered (llama-swap's 502 or 503 for one model) counts against
// that model only (`modelKey`).
// And one user cannot close a circuit for others: a circuit whose failures all came from one user is open
// for that user only; once a second user has seen it fail, it is open for everyone.
//
// The state lives in the memory of each isolate. That is deliberate: it costs nothing on the hot path
// and needs no writes, and a dead host is discovered by each isolate after three of its own requests.
// The price: isolates do not share what they learned, and a new isolate starts closed.

export const FAILURES_TO_OPEN = 3;
export const OPEN_MS = 30_000;

interface State {
  failures: number;
  /** Who saw the failures (API user ids); a bounded handful is enough to tell one from several. */
  users: Set<string>;
  openUntil: number;
  probing: boolean;
}

export type Admission = { allowed: true; probe: boolean } | { allowed: false; retryAfterSeconds: number };

const states = new Map<string, State>();

export const hostKey = (provider: string) => `host:${provider}`;
export const modelKey = (compositeId: string) => `model:${compositeId}`;

/** May `user`'s request go through this circuit now? While open, no; once the pause is over, one probe may. */
export function admit(key: string, user: string, now = Date.now()): Admission {
  const state = states.get(key);
  if (!state || state.failures < FAILURES_TO_OPEN) return { allowed: true, probe: false };
  if (state.users.size < 2 && !state.users.has(user)) return { allowed: true, probe: false };
  if (now < state.openUntil || state.probing) {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((state.openUntil - now) / 1000)) };
  }
  state.probing = true;
  return { allowed: true, probe: true };
}

export function recordSuccess(key: string): void {
  states.delete(key);
}

/** Only availability failures count: a 4xx or a bad request says nothing about the host's health. */
export function recordFailure(key: string, user: string, now = Date.now()): void {
  let state = states.get(key);
  if (!state) {
    state = { failures: 0, users: new Set(), openUntil: 0, probing: false };
    states.set(key, state);
  }
  state.failures += 1;
  if (state.users.size < 8) state.users.add(user);
  if (state.probing || state.failures >= FAILURES_TO_OPEN) {
    state.failures = Math.max(state.failures, FAILURES_TO_OPEN);
    state.openUntil = now + OPEN_MS;
    state.probing = false;
  }
}

/** A probe that ended without a verdict (the client left): let the next request probe again. */
export function releaseProbe(key: string): void {
  const state = states.get(key);
  if (state) state.probing = false;
}

export function resetCircuitBreakers(): void {
  states.clear();
}
