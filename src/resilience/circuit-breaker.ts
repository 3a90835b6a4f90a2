// A circuit breaker per provider. After 3 availability failures in a row (refused, reset, 502, 503,
// 530, first-byte timeout) the provider is skipped for 30 s: requests fail fast (or go to a fallback)
// instead of each waiting on a dead tunnel. Then ONE request probes; its outcome closes or reopens it.
//
// The state lives in the memory of each isolate. That is deliberate: it costs nothing on the hot path
// and needs no writes, and a dead host is discovered by each isolate after three of its own requests.
// The price: isolates do not share what they learned, and a new isolate starts closed.

export const FAILURES_TO_OPEN = 3;
export const OPEN_MS = 30_000;

interface State {
  failures: number;
  openUntil: number;
  probing: boolean;
}

export type Admission = { allowed: true; probe: boolean } | { allowed: false; retryAfterSeconds: number };

const states = new Map<string, State>();

function stateOf(provider: string): State {
  let state = states.get(provider);
  if (!state) {
    state = { failures: 0, openUntil: 0, probing: false };
    states.set(provider, state);
  }
  return state;
}

/** May a request go to this provider now? While open, no; once the pause is over, one probe may. */
export function admit(provider: string, now = Date.now()): Admission {
  const state = states.get(provider);
  if (!state || state.failures < FAILURES_TO_OPEN) return { allowed: true, probe: false };
  if (now < state.openUntil || state.probing) {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((state.openUntil - now) / 1000)) };
  }
  state.probing = true;
  return { allowed: true, probe: true };
}

export function recordSuccess(provider: string): void {
  states.delete(provider);
}

/** Only availability failures count: a 4xx or a bad request says nothing about the host's health. */
export function recordFailure(provider: string, now = Date.now()): void {
  const state = stateOf(provider);
  state.failures += 1;
  if (state.probing || state.failures >= FAILURES_TO_OPEN) {
    state.failures = Math.max(state.failures, FAILURES_TO_OPEN);
    state.openUntil = now + OPEN_MS;
    state.probing = false;
  }
}

/** A probe that ended without a verdict (the client left): let the next request probe again. */
export function releaseProbe(provider: string): void {
  const state = states.get(provider);
  if (state) state.probing = false;
}

export function resetCircuitBreakers(): void {
  states.clear();
}
