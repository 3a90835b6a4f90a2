// The ONE resolver: any model id a client names (composite `provider/model`, a legacy bare id, a bare id
// holding `/`) becomes the provider to call and the id that host knows the model by, or a tagged reason
// why not. Inference, model lookup, request fallbacks and pools all call it; each maps the refusals to its
// own answer (`inferenceError`: a 400 before any host is asked; `lookupError`: OpenAI's 404).
import { getProviderList } from "./catalog/catalog.ts";
import { type ApiError, invalidRequest, modelNotFound } from "./errors.ts";
import { closestId } from "./inference/closest-id.ts";
import { formatModelId, type ModelIdProblem, parseModelId } from "./model-id.ts";
import type { Registry } from "./registry/loader.ts";
import type { Pool, Provider } from "./registry/schema.ts";
import { type PoolModel, poolModel } from "./pools/members.ts";
import type { Scope } from "./scope.ts";

export interface ResolvedModel {
  provider: Provider;
  /** Sent upstream as the request's `model`. */
  wireModel: string;
  /** `provider/model`: what errors, logs and caches name. */
  compositeId: string;
}

export type Resolution =
  | { ok: true; target: ResolvedModel; pool?: undefined }
  /** A pool's model (`any/qwen3-32b`): which member serves a request is decided per request (src/pools/). */
  | { ok: true; pool: PoolModel; target?: undefined }
  | { ok: false; problem: "invalid_id"; reason: ModelIdProblem; message: string }
  | { ok: false; problem: "no_default"; message: string }
  /** The prefix is no provider: a typo, or a slashed id the default host does not list. */
  | { ok: false; problem: "unknown_provider"; prefix: string; near?: string; known: string[] }
  | { ok: false; problem: "disabled"; provider: Provider | Pool }
  /** The pool has no model of that name. */
  | { ok: false; problem: "unknown_pool_model"; pool: Pool };

export type Refusal = Exclude<Resolution, { ok: true }>;

function unknownProvider(registry: Registry, prefix: string): Refusal {
  const known = [...registry.providers, ...registry.pools].filter((p) => p.enabled).map((p) => p.id);
  const near = closestId(prefix, known);
  return { ok: false, problem: "unknown_provider", prefix, known, ...(near ? { near } : {}) };
}

export async function resolve(scope: Scope, id: string): Promise<Resolution> {
  const registry = await scope.registry();
  const parsed = parseModelId(id, registry);
  if (!parsed.ok) {
    if (parsed.reason !== "no_default_provider")
      return { ok: false, problem: "invalid_id", reason: parsed.reason, message: parsed.message };
    // `typo/model` with no default provider to claim it reads as a mistyped provider.
    return id.includes("/")
      ? unknownProvider(registry, id.slice(0, id.indexOf("/")))
      : { ok: false, problem: "no_default", message: parsed.message };
  }
  const pool = registry.pool(parsed.ref.provider);
  if (pool) {
    if (!pool.enabled) return { ok: false, problem: "disabled", provider: pool };
    const model = await poolModel(scope, registry, pool, parsed.ref.model);
    return model ? { ok: true, pool: model } : { ok: false, problem: "unknown_pool_model", pool };
  }
  const provider = registry.get(parsed.ref.provider);
  if (!provider) return unknownProvider(registry, parsed.ref.provider);
  if (!provider.enabled) return { ok: false, problem: "disabled", provider };
  // `Qwen/Qwen3-8B-GGUF` may be a default-provider model or a mistyped provider: only the host's list
  // can tell (from the catalog's cache when warm), and a typo must not reach a host as a request.
  if (parsed.kind === "bare-slashed") {
    const list = await getProviderList(scope, provider);
    if (!list.models.some((m) => m.id === parsed.ref.model)) return unknownProvider(registry, id.slice(0, id.indexOf("/")));
  }
  return { ok: true, target: { provider, wireModel: parsed.ref.model, compositeId: formatModelId(parsed.ref) } };
}

/** Inference refuses with a 400 naming `param`, before any host is asked. */
export function inferenceError(id: string, refusal: Refusal, param = "model"): ApiError {
  switch (refusal.problem) {
    case "invalid_id":
      return invalidRequest(refusal.message, "invalid_model_id", param);
    case "no_default":
      return invalidRequest(refusal.message, "no_default_provider", param);
    case "unknown_provider": {
      const hint = refusal.near
        ? ` Did you mean '${refusal.near}'?`
        : refusal.known.length
          ? ` Known providers: ${refusal.known.slice(0, 10).join(", ")}.`
          : "";
      return invalidRequest(
        `Unknown provider '${refusal.prefix}' in model '${id}'.${hint} Model ids look like 'provider/model'; GET /v1/models lists them.`,
        "unknown_provider",
        param,
      );
    }
    case "disabled":
      return invalidRequest(`The provider '${refusal.provider.id}' is disabled; model '${id}' cannot be used.`, "provider_disabled", param);
    case "unknown_pool_model":
      return modelNotFound(id);
  }
}

/** A lookup by URL answers every refusal as OpenAI does for a model that does not exist. */
export function lookupError(id: string, _refusal: Refusal): ApiError {
  return modelNotFound(id);
}

/** Resolves for inference: the target (a host's model or a pool's), or the 4xx thrown. */
export async function resolveForInference(
  scope: Scope,
  id: string,
  param = "model",
): Promise<{ target: ResolvedModel } | { pool: PoolModel }> {
  const resolution = await resolve(scope, id);
  if (!resolution.ok) throw inferenceError(id, resolution, param);
  return resolution.pool ? { pool: resolution.pool } : { target: resolution.target };
}
