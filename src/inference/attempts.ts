// Fallbacks and the circuit breaker around one inference request. The candidates, in order: the model
// the client asked for; the request's own `models: [...]` (as OpenRouter clients send); the registry's
// per-model `modelFallbacks`; the provider's `fallbacks`. The next one is tried ONLY when the failure
// happened before any byte reached the client and was about availability (refused or reset, 502, 503,
// 530, first-byte timeout): never after a 4xx, never mid-stream. A provider whose circuit is open is
// skipped without a request.
import { ApiError } from "../errors.ts";
import { admit, recordFailure, recordSuccess, releaseProbe } from "../resilience/circuit-breaker.ts";
import { isAvailabilityFailure } from "../upstream/classify.ts";
import type { ResolvedModel } from "./resolve-model.ts";

export const MAX_ATTEMPTS = 4;

export interface Skipped {
  compositeId: string;
  code: string;
}

/** Registry fallbacks for a resolved model: per-model ones first, then the provider's. */
export function registryFallbacks(target: ResolvedModel): string[] {
  return [...(target.provider.modelFallbacks?.[target.wireModel] ?? []), ...(target.provider.fallbacks ?? [])];
}

const circuitOpen = (target: ResolvedModel, retryAfterSeconds: number) =>
  new ApiError({
    status: 503,
    type: "api_error",
    code: "provider_unavailable",
    message: `The provider '${target.provider.id}' failed several times in a row; the router pauses requests to it. Try again later.`,
    headers: { "retry-after": String(retryAfterSeconds) },
  });

export interface AttemptPlan {
  first: ResolvedModel;
  /** The request's own `models`, already resolved (bad ones were refused with 400 before any call). */
  requested: ResolvedModel[];
  /** Resolves a registry fallback id; undefined when it no longer resolves (skipped, not an error). */
  resolveLater: (id: string) => Promise<ResolvedModel | undefined>;
}

/**
 * Runs `send` against each candidate until one answers. Resolves with that answer, the candidate that
 * gave it and what was skipped; rethrows the last availability error when every candidate failed.
 */
export async function runAttempts(
  plan: AttemptPlan,
  send: (target: ResolvedModel) => Promise<Response>,
): Promise<{ response: Response; target: ResolvedModel; skipped: Skipped[] }> {
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  const queue: (ResolvedModel | string)[] = [plan.first, ...plan.requested, ...registryFallbacks(plan.first)];
  let lastError: ApiError | undefined;
  while (queue.length && seen.size < MAX_ATTEMPTS) {
    const next = queue.shift() as ResolvedModel | string;
    const target = typeof next === "string" ? await plan.resolveLater(next) : next;
    if (!target || seen.has(target.compositeId)) continue;
    seen.add(target.compositeId);
    const admission = admit(target.provider.id);
    if (!admission.allowed) {
      lastError = circuitOpen(target, admission.retryAfterSeconds);
      skipped.push({ compositeId: target.compositeId, code: "circuit_open" });
      continue;
    }
    try {
      const response = await send(target);
      recordSuccess(target.provider.id);
      return { response, target, skipped };
    } catch (error) {
      if (!isAvailabilityFailure(error)) {
        // The host answered (a 4xx is its verdict on the request, not on its health); a client that
        // left before an answer tells nothing, so a probe it was carrying goes to the next request.
        if (error instanceof ApiError && error.status === 499) releaseProbe(target.provider.id);
        else recordSuccess(target.provider.id);
        throw error;
      }
      recordFailure(target.provider.id);
      lastError = error as ApiError;
      skipped.push({ compositeId: target.compositeId, code: (error as ApiError).code });
    }
  }
  throw lastError ?? new ApiError({ status: 503, type: "api_error", code: "provider_unavailable", message: "No provider could take the request." });
}

/** `x-llama-edge-skipped: sam-desktop/qwen3 (provider_unreachable), garage/qwen3 (circuit_open)` */
export function skippedHeader(skipped: readonly Skipped[]): string {
  return skipped.map((s) => `${s.compositeId} (${s.code})`).join(", ");
}
