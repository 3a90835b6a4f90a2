// A pool's models as the catalog lists them: one record per pool model, built from its members' records.
// Status: `loaded` when a member is loaded, `unavailable` when no member's host answered, else `unloaded`.
// The context is the smallest among members that report one: a prompt that fits it fits every member.
import type { CatalogModel } from "../catalog/types.ts";
import { displayName, formatModelId } from "../model-id.ts";
import type { Pool } from "../registry/schema.ts";

export function poolRecord(
  pool: Pool,
  wireModel: string,
  memberIds: readonly string[],
  byId: ReadonlyMap<string, CatalogModel>,
): CatalogModel {
  const id = formatModelId({ provider: pool.id, model: wireModel });
  const members = memberIds.map((m) => byId.get(m)).filter((m): m is CatalogModel => m !== undefined);
  const status = members.some((m) => m.status === "loaded")
    ? "loaded"
    : members.some((m) => m.status !== "unavailable")
      ? "unloaded"
      : "unavailable";
  const contexts = members.map((m) => m.context_length).filter((c): c is number => c !== undefined);
  return {
    id,
    object: "model",
    created: 0,
    owned_by: pool.id,
    name: displayName(id, pool.id),
    provider: { id: pool.id, label: pool.label },
    status,
    ...(contexts.length ? { context_length: Math.min(...contexts) } : {}),
    members: [...memberIds],
  };
}
