// Fallbacks and the circuit breaker around one inference request. The candidates, in order: the model
// the client asked for; the request's own `models: [...]` (as OpenRouter clients send); the registry's
// per-model `modelFallbacks`; the provider's `fallbacks`. The next one is tried ONLY when the failure
// happened before any byte reached the client and was about availability (`isAvailability`): never after
// a 4xx, never mid-stream. A candidate whose circuit is open is skipped without a request.
import { type Admission, admit, hostKey, modelKey, recordFailure, recordSuccess, releaseProbe } from "../resilience/circuit-breaker.ts";
import type { ResolvedModel } from "../resolve.ts";
import { type HostFailure, HostError, hostError, isAvailability, skippedCode } from "../upstream/failure.ts";

export const MAX_ATTEMPTS = 4;

export interface Skipped {
  compositeId: string;
  code: string;
}

/** Registry fallbacks for a resolved model: per-model ones first, then the provider's. */
export function registryFallbacks(target: ResolvedModel): string[] {
  return [...(target.provider.modelFallbacks?.[target.wireModel] ?? []), ...(target.provider.fallbacks ?? [])];
}

export interface AttemptPlan {
  first: ResolvedModel;
  /** The request's own `models`, already resolved (bad ones were refused with 400 before any call). */
  requested: ResolvedModel[];
  /** Resolves a registry fallback id; undefined when it no longer resolves (skipped, not an error). */
  resolveLater: (id: string) => Promise<ResolvedModel | undefined>;
  /** The API user: a circuit opened by one user's failures stays that user's (resilience/circuit-breaker.ts). */
  user: string;
  /**
   * Inside a pool, a member that answers 429 (llama-swap's concurrency limit) passes the request to the
   * next member; it is up, so its circuit does not count it.
   */
  spillOnBusy?: boolean;
  /** The body can be sent once (a streamed upload): after one host has been asked, no other is. */
  sendOnce?: boolean;
}

export interface Attempted {
  response: Response;
  target: ResolvedModel;
  skipped: Skipped[];
}

/** Probes a request was admitted as, handed back when it ends without a verdict. */
function releaseProbes(keys: readonly string[], admissions: readonly Admission[]): void {
  admissions.forEach((admission, i) => {
    if (admission.allowed && admission.probe) releaseProbe(keys[i] as string);
  });
}

/** Which circuit a failure counts against: the whole host when the connection failed, else the model. */
function circuitOf(failure: HostFailure, target: ResolvedModel): string {
  const hostWide =
    failure.kind === "tunnel_down" || ((failure.kind === "unreachable" || failure.kind === "timeout") && failure.hostWide === true);
  return hostWide ? hostKey(target.provider.id) : modelKey(target.compositeId);
}

/**
 * Runs `send` against each candidate until one answers. Resolves with that answer, the candidate that
 * gave it and what was skipped; rethrows the last availability failure when every candidate failed.
 */
export async function runAttempts(plan: AttemptPlan, send: (target: ResolvedModel) => Promise<Response>): Promise<Attempted> {
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  const queue: (ResolvedModel | string)[] = [plan.first, ...plan.requested, ...registryFallbacks(plan.first)];
  let last: HostFailure | undefined;
  let sent = 0;
  // A candidate skipped for an open circuit was never sent the body, so a send-once request may still try the next.
  while (queue.length && seen.size < MAX_ATTEMPTS && !(plan.sendOnce && sent > 0)) {
    const next = queue.shift() as ResolvedModel | string;
    const target = typeof next === "string" ? await plan.resolveLater(next) : next;
    if (!target || seen.has(target.compositeId)) continue;
    seen.add(target.compositeId);
    const keys = [hostKey(target.provider.id), modelKey(target.compositeId)];
    const admissions = keys.map((key) => admit(key, plan.user));
    const refused = admissions.find((a) => !a.allowed);
    if (refused && !refused.allowed) {
      releaseProbes(keys, admissions);
      last = { kind: "circuit_open", provider: target.provider.id, retryAfterSeconds: refused.retryAfterSeconds };
      skipped.push({ compositeId: target.compositeId, code: skippedCode(last) });
      continue;
    }
    try {
      sent++;
      const response = await send(target);
      for (const key of keys) recordSuccess(key);
      return { response, target, skipped };
    } catch (error) {
      const failure = error instanceof HostError ? error.failure : undefined;
      if (!failure || failure.kind === "client_left") {
        // A client that left before an answer tells nothing about the host: a probe it was carrying goes to the next request.
        releaseProbes(keys, admissions);
        throw error;
      }
      if (failure.kind === "busy" && plan.spillOnBusy) {
        for (const key of keys) recordSuccess(key);
        last = failure;
        skipped.push({ compositeId: target.compositeId, code: skippedCode(failure) });
        continue;
      }
      if (!isAvailability(failure)) {
        // The host answered: a 4xx is its verdict on the request, not on its health.
        for (const key of keys) recordSuccess(key);
        throw error;
      }
      recordFailure(circuitOf(failure, target), plan.user);
      last = failure;
      skipped.push({ compositeId: target.compositeId, code: skippedCode(failure) });
    }
  }
  throw hostError(last ?? { kind: "unreachable", provider: plan.first.provider.id, detail: "no candidate could take the request" });
}

/** `x-llama-edge-skipped: sam-desktop/qwen3 (provider_unreachable), garage/qwen3 (circuit_open)` */
export function skippedHeader(skipped: readonly Skipped[]): string {
  return skipped.map((s) => `${s.compositeId} (${s.code})`).join(", ");
}
