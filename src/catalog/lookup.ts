// One model by the id a client names in a URL path (`/v1/models/{id}`, `/api/models/{id}/context`):
// raw or percent-encoded, slashes allowed, composite or legacy bare, resolved by the one resolver.
// Unknown, unparsable or disabled: 404 model_not_found, the answer OpenAI's API gives for a model that
// does not exist.
import { modelNotFound } from "../errors.ts";
import { lookupError, resolve, type ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import { getProviderList } from "./catalog.ts";
import type { ProviderList } from "./provider-lists.ts";
import type { HostModel } from "./types.ts";

export interface ModelLookup extends ResolvedModel {
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

export async function lookupModel(scope: Scope, id: string | undefined): Promise<ModelLookup> {
  if (id === undefined) throw modelNotFound("");
  const resolution = await resolve(scope, id);
  if (!resolution.ok) throw lookupError(id, resolution);
  const target = resolution.target;
  const list = await getProviderList(scope, target.provider);
  const model = list.models.find((m) => m.id === target.wireModel);
  // A reachable host that does not list it: no such model. (A slashed bare id no host claims was
  // already refused by the resolver, from this same list.)
  if (!model && list.ok) throw modelNotFound(id);
  return { ...target, list, model };
}
