// Turns the model id a client sent into the provider to call and the id that host knows the model by.
// Every refusal here is a 400 before any inference request leaves the Worker.
import { providerListsModel } from "../catalog/membership.ts";
import type { Env } from "../env.ts";
import { invalidRequest } from "../errors.ts";
import { formatModelId, parseModelId } from "../model-id.ts";
import type { Registry } from "../registry/loader.ts";
import type { Provider } from "../registry/schema.ts";
import { closestId } from "./closest-id.ts";

export interface ResolvedModel {
  provider: Provider;
  /** Sent upstream in the body's `model`. */
  wireModel: string;
  /** `provider/model`: what errors and logs name. */
  compositeId: string;
}

function unknownProvider(registry: Registry, modelId: string, prefix: string) {
  const enabled = registry.providers.filter((p) => p.enabled).map((p) => p.id);
  const near = closestId(prefix, enabled);
  const hint = near ? ` Did you mean '${near}'?` : enabled.length ? ` Known providers: ${enabled.slice(0, 10).join(", ")}.` : "";
  return invalidRequest(
    `Unknown provider '${prefix}' in model '${modelId}'.${hint} Model ids look like 'provider/model'; GET /v1/models lists them.`,
    "unknown_provider",
    "model",
  );
}

export async function resolveModel(env: Env, ctx: ExecutionContext, registry: Registry, modelId: string): Promise<ResolvedModel> {
  const parsed = parseModelId(modelId, registry);
  if (!parsed.ok) {
    if (parsed.reason === "no_default_provider" && modelId.includes("/")) {
      throw unknownProvider(registry, modelId, modelId.slice(0, modelId.indexOf("/")));
    }
    throw invalidRequest(parsed.message, parsed.reason === "no_default_provider" ? "no_default_provider" : "invalid_model_id", "model");
  }
  const provider = registry.get(parsed.ref.provider);
  if (!provider) throw invalidRequest(`Unknown provider '${parsed.ref.provider}'.`, "unknown_provider", "model");
  if (!provider.enabled) {
    throw invalidRequest(`The provider '${provider.id}' is disabled; model '${modelId}' cannot be used.`, "provider_disabled", "model");
  }
  // `Qwen/Qwen3-8B-GGUF` may be a default-provider model or a mistyped provider: only the host's list
  // can tell, and a typo must not reach a host as an inference request.
  if (parsed.kind === "bare-slashed" && !(await providerListsModel(env, ctx, provider, parsed.ref.model))) {
    throw unknownProvider(registry, modelId, modelId.slice(0, modelId.indexOf("/")));
  }
  return { provider, wireModel: parsed.ref.model, compositeId: formatModelId(parsed.ref) };
}
