// The order in which a pool's members are tried for one request (docs/pools.md):
// 1. affinity: the member this isolate last sent the conversation to (10 minutes, sliding), while warm;
// 2. warm llama-swap members: the first by rendezvous hashing of the conversation key over them (every
//    isolate picks the same one for a conversation without asking anyone; different conversations
//    spread), the others in the operator's order; members at `maxInFlight` go after the rest;
// 3. nothing warm: llama-swap members in the operator's order, so exactly one host loads the model
//    (`cold: "fallback"` puts hosted members first instead);
// 4. hosted members, then members whose host is known down (their circuits decide).
// No I/O here: the lists come in, already no older than 15 s.
import { rendezvousScore } from "./conversation-key.ts";
import { inFlightOf, rememberedMember } from "./memory.ts";
import type { ListView, Member, PoolModel } from "./types.ts";
import { type Warmth, warmthOf } from "./warm-state.ts";

export type Route = "affinity" | "warm" | "cold" | "fallback";

export interface PoolPlan {
  /** Members in the order to try them. */
  order: Member[];
  /** What the first member is (the route when it answers; any later one answers as `fallback`). */
  firstRoute: Route;
}

export function planPool(model: PoolModel, key: string, lists: ReadonlyMap<string, ListView>, now = Date.now()): PoolPlan {
  const warmth = new Map<Member, Warmth>(model.members.map((m) => [m, warmthOf(m, lists.get(m.provider.id), now)]));
  const limit = model.pool.maxInFlight;
  const free = (m: Member) => limit === undefined || inFlightOf(m.compositeId) < limit;
  const swap = (m: Member) => m.provider.kind === "llama-swap" && !m.provider.models;
  const warm = model.members.filter((m) => warmth.get(m) === "warm");
  const hosted = model.members.filter((m) => !swap(m));
  const coldSwap = model.members.filter((m) => swap(m) && (warmth.get(m) === "cold" || warmth.get(m) === "unknown"));
  const down = model.members.filter((m) => warmth.get(m) === "down");

  const remembered = rememberedMember(key, now);
  const affine = warm.find((m) => m.compositeId === remembered && free(m));
  let chosen = affine;
  if (!chosen) {
    const open = warm.filter(free);
    chosen = open.reduce<Member | undefined>(
      (best, m) => (!best || rendezvousScore(key, m.compositeId) > rendezvousScore(key, best.compositeId) ? m : best),
      undefined,
    );
  }
  const ordered: Member[] = [];
  const add = (m: Member | undefined) => m && !ordered.includes(m) && ordered.push(m);
  add(chosen);
  warm.filter(free).forEach(add);
  warm.forEach(add);
  if (!chosen && model.pool.cold === "fallback") hosted.forEach(add);
  coldSwap.forEach(add);
  hosted.forEach(add);
  down.forEach(add);

  const first = ordered[0];
  const firstRoute: Route = !first
    ? "cold"
    : first === affine
      ? "affinity"
      : warmth.get(first) === "warm"
        ? "warm"
        : swap(first)
          ? "cold"
          : "fallback";
  return { order: ordered, firstRoute };
}
