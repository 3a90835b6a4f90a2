// The shapes the pool's pure decision code works on, kept free of Worker types so the bench (plain
// Node) can run the same decision: a member is what the resolver returns for a host's model.
import type { HostModel } from "../catalog/types.ts";
import type { Pool, Provider } from "../registry/schema.ts";

export interface Member {
  provider: Provider;
  wireModel: string;
  compositeId: string;
}

export interface PoolModel {
  pool: Pool;
  /** The model part of the pool id (`qwen3-32b` of `any/qwen3-32b`). */
  wireModel: string;
  /** `any/qwen3-32b`. */
  compositeId: string;
  /** Enabled members, in the operator's order. */
  members: Member[];
}

/** What a decision reads of a host's list (catalog/provider-lists.ts `ProviderList`). */
export interface ListView {
  ok: boolean;
  fetchedAt: number;
  models: readonly Pick<HostModel, "id" | "status">[];
}
