// One inference request to a pool model: the conversation key, the lists (never older than 15 s; a
// steady stream of requests refreshes them in the background), the plan (choose.ts), and the bookkeeping
// after: the member that answered is remembered for the conversation and counts as warm.
import { listsNoOlderThan, type ProviderList } from "../catalog/provider-lists.ts";
import type { ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import { planPool, type PoolPlan, type Route } from "./choose.ts";
import { conversationKey } from "./conversation-key.ts";
import { markAnswered, remember } from "./memory.ts";
import type { PoolModel } from "./members.ts";
import { WARM_STATE_MAX_AGE_MS } from "./warm-state.ts";

export interface ConversationInput {
  headers: Headers;
  /** The request body's bytes, of which only the start of the conversation is read. */
  raw: Uint8Array;
}

export interface PoolRouting extends PoolPlan {
  key: string;
}

export async function planPoolRequest(scope: Scope, model: PoolModel, user: string, conversation: ConversationInput): Promise<PoolRouting> {
  const providers = [...new Set(model.members.map((m) => m.provider))];
  const lists = await listsNoOlderThan(scope, providers, WARM_STATE_MAX_AGE_MS);
  const byProvider = new Map<string, ProviderList>(providers.map((p, i) => [p.id, lists[i] as ProviderList]));
  const key = conversationKey(conversation.headers, user, conversation.raw);
  return { key, ...planPool(model, key, byProvider) };
}

/** The route an answer from `member` took. */
export function routeOf(routing: PoolRouting, member: ResolvedModel): Route {
  return member === routing.order[0] ? routing.firstRoute : "fallback";
}

export function recordAnswer(routing: PoolRouting, member: ResolvedModel): void {
  markAnswered(member.compositeId);
  remember(routing.key, member.compositeId);
}
