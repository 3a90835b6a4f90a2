// Is a member's model loaded on its host right now, as far as the router can tell without asking?
// From the catalog's list of the member's host (its `status`, or `/running` on older llama-swap; never
// `/props` or `/upstream`, which would load a model) when that list is at most 15 s old, and from this
// isolate's own last answer from the member when that is newer. Older knowledge counts as unknown.
import { lastAnswered } from "./memory.ts";
import type { ListView, Member } from "./types.ts";

export const WARM_STATE_MAX_AGE_MS = 15_000;

export type Warmth = "warm" | "cold" | "unknown" | "down";

export function warmthOf(member: Member, list: ListView | undefined, now = Date.now()): Warmth {
  // A hosted API serves its models at any time; pools use it as `cold: "fallback"` or as the last resort.
  if (member.provider.kind !== "llama-swap" || member.provider.models) return "unknown";
  const answered = lastAnswered(member.compositeId);
  const listFresh = list !== undefined && now - list.fetchedAt <= WARM_STATE_MAX_AGE_MS;
  if (answered !== undefined && now - answered <= WARM_STATE_MAX_AGE_MS && (!listFresh || answered >= list.fetchedAt)) return "warm";
  if (!list || !listFresh) return "unknown";
  if (!list.ok) return "down";
  const status = list.models.find((m) => m.id === member.wireModel)?.status;
  return status === "loaded" ? "warm" : status === "unloaded" ? "cold" : "unknown";
}
