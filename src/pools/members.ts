// A pool model's members: the pool's own list for that model, or, with `unify`, every enabled llama-swap
// provider whose host lists that wire id (two or more of them), in registry order. Members whose provider
// is disabled or gone are left out; the registry's schema already refused members that name no provider.
import { providerLists } from "../catalog/provider-lists.ts";
import { formatModelId, parseModelId } from "../model-id.ts";
import type { Registry } from "../registry/loader.ts";
import type { Pool } from "../registry/schema.ts";
import type { ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import type { PoolModel } from "./types.ts";

export type { PoolModel } from "./types.ts";

function resolveMember(registry: Registry, id: string): ResolvedModel | undefined {
  const parsed = parseModelId(id, registry);
  if (!parsed.ok || parsed.kind !== "composite") return undefined;
  const provider = registry.get(parsed.ref.provider);
  if (!provider?.enabled) return undefined;
  return { provider, wireModel: parsed.ref.model, compositeId: formatModelId(parsed.ref) };
}

/** Wire ids listed by two or more enabled llama-swap providers → their composite ids, registry order. */
export async function unifiedModels(scope: Scope, registry: Registry): Promise<Map<string, string[]>> {
  const hosts = registry.providers.filter((p) => p.enabled && p.kind === "llama-swap" && !p.models);
  const lists = await providerLists(scope, hosts);
  const byWire = new Map<string, string[]>();
  hosts.forEach((provider, i) => {
    for (const model of lists[i]?.models ?? []) {
      const ids = byWire.get(model.id) ?? [];
      ids.push(formatModelId({ provider: provider.id, model: model.id }));
      byWire.set(model.id, ids);
    }
  });
  for (const [wire, ids] of byWire) if (ids.length < 2) byWire.delete(wire);
  return byWire;
}

/** Every model id of the pool with its member ids (explicit ones first, then unified ones it lacks). */
export async function poolModelIds(scope: Scope, registry: Registry, pool: Pool): Promise<Map<string, string[]>> {
  const all = new Map(Object.entries(pool.members));
  if (pool.unify) for (const [wire, ids] of await unifiedModels(scope, registry)) if (!all.has(wire)) all.set(wire, ids);
  return all;
}

/** The pool model, or undefined when the pool has no such model. */
export async function poolModel(scope: Scope, registry: Registry, pool: Pool, wireModel: string): Promise<PoolModel | undefined> {
  const ids = pool.members[wireModel] ?? (pool.unify ? (await unifiedModels(scope, registry)).get(wireModel) : undefined);
  if (!ids) return undefined;
  const members = ids.map((id) => resolveMember(registry, id)).filter((m): m is ResolvedModel => m !== undefined);
  return { pool, wireModel, compositeId: formatModelId({ provider: pool.id, model: wireModel }), members };
}
