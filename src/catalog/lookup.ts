// One model by the id a client names in a URL path (`/v1/models/{id}`, `/api/models/{id}/context`):
// raw or percent-encoded, slashes allowed, composite or legacy bare. Unknown, unparsable or disabled:
// 404 model_not_found, the answer OpenAI's API gives for a model that does not exist.
import type { Env } from "../env.ts";
import { modelNotFound } from "../errors.ts";
import { formatModelId, parseModelId } from "../model-id.ts";
import type { Registry } from "../registry/loader.ts";
import type { Provider } from "../registry/schema.ts";
import { getProviderList } from "./catalog.ts";
import type { HostModel } from "./host-list.ts";
import type { ProviderList } from "./provider-lists.ts";

export interface ModelLookup {
  provider: Provider;
  wireModel: string;
  compositeId: string;
  list: ProviderList;
  /** The host's record; undefined only when the host is unreachable and its last good list lacks it. */
  model: HostModel | undefined;
}

/** Decodes the id between `prefix` and `suffix` of a path; undefined when it is not there or not decodable. */
export function modelIdFromPath(pathname: string, prefix: string, suffix = ""): string | undefined {
  if (!pathname.startsWith(prefix) || !pathname.endsWith(suffix)) return undefined;
  const raw = pathname.slice(prefix.length, pathname.length - suffix.length);
  try {
    return raw ? decodeURIComponent(raw) : undefined;
  } catch {
    return undefined;
  }
}

export async function lookupModel(env: Env, ctx: ExecutionContext, registry: Registry, id: string | undefined): Promise<ModelLookup> {
  const parsed = id === undefined ? undefined : parseModelId(id, registry);
  const provider = parsed?.ok ? registry.get(parsed.ref.provider) : undefined;
  if (!parsed?.ok || !provider?.enabled) throw modelNotFound(id ?? "");
  const list = await getProviderList(env, ctx, provider);
  const model = list.models.find((m) => m.id === parsed.ref.model);
  // A reachable host that does not list it, or a bare id with a slash that no host claims: no such model.
  if (!model && (list.ok || parsed.kind === "bare-slashed")) throw modelNotFound(id ?? "");
  return { provider, wireModel: parsed.ref.model, compositeId: formatModelId(parsed.ref), list, model };
}
