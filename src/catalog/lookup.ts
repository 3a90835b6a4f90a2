// One model by the id a client names in a URL path (`/v1/models/{id}`, `/api/models/{id}/context`):
// raw or percent-encoded, slashes allowed, composite or legacy bare, resolved by the one resolver.
// Unknown, unparsable or disabled: 404 model_not_found, the answer OpenAI's API gives for a model that
// does not exist.
import { modelNotFound } from "../errors.ts";
import { lookupError, resolve, type ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import { poolRecord } from "../pools/records.ts";
import type { PoolModel } from "../pools/members.ts";
import { getProviderList, toRecord } from "./catalog.ts";
import type { ProviderList } from "./provider-lists.ts";
import type { CatalogModel, HostModel } from "./types.ts";

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

/** A pool model: its record (as `/v1/models` lists it) and each member's own lookup. */
export interface PoolLookup {
  pool: PoolModel;
  record: CatalogModel;
  members: ModelLookup[];
}

async function lookupTarget(scope: Scope, target: ResolvedModel): Promise<ModelLookup> {
  const list = await getProviderList(scope, target.provider);
  return { ...target, list, model: list.models.find((m) => m.id === target.wireModel) };
}

export async function lookupPool(scope: Scope, pool: PoolModel): Promise<PoolLookup> {
  const members = await Promise.all(pool.members.map((m) => lookupTarget(scope, m)));
  const byId = new Map(members.filter((m) => m.model).map((m) => [m.compositeId, toRecord(m.provider, m.model as HostModel, m.list.ok)]));
  const record = poolRecord(
    pool.pool,
    pool.wireModel,
    pool.members.map((m) => m.compositeId),
    byId,
  );
  return { pool, record, members };
}

export async function lookupModel(scope: Scope, id: string | undefined): Promise<ModelLookup | PoolLookup> {
  if (id === undefined) throw modelNotFound("");
  const resolution = await resolve(scope, id);
  if (!resolution.ok) throw lookupError(id, resolution);
  if (resolution.pool) return lookupPool(scope, resolution.pool);
  const target = resolution.target;
  const list = await getProviderList(scope, target.provider);
  const model = list.models.find((m) => m.id === target.wireModel);
  // A reachable host that does not list it: no such model. (A slashed bare id no host claims was
  // already refused by the resolver, from this same list.)
  if (!model && list.ok) throw modelNotFound(id);
  return { ...target, list, model };
}
