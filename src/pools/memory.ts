// What this isolate has learned from its own routing, kept in memory (nothing is stored, no round trip):
// - affinity: which member served a conversation, for a sliding 10 minutes (bounded, oldest out first);
// - observed: a member that just answered has its model loaded, which is newer than any list;
// - in flight: requests each member is serving now, for a pool's `maxInFlight`.
export const AFFINITY_MS = 10 * 60 * 1000;
const MAX_CONVERSATIONS = 10_000;

const affinity = new Map<string, { member: string; until: number }>();
const observed = new Map<string, number>();
const inFlight = new Map<string, number>();

export function rememberedMember(key: string, now = Date.now()): string | undefined {
  const entry = affinity.get(key);
  if (!entry) return undefined;
  if (entry.until <= now) {
    affinity.delete(key);
    return undefined;
  }
  return entry.member;
}

export function remember(key: string, member: string, now = Date.now()): void {
  // Delete first so the Map's insertion order stays the order of last use.
  affinity.delete(key);
  affinity.set(key, { member, until: now + AFFINITY_MS });
  if (affinity.size > MAX_CONVERSATIONS) affinity.delete(affinity.keys().next().value as string);
}

/** When this isolate last saw the member answer (its model was loaded then). */
export const lastAnswered = (member: string): number | undefined => observed.get(member);
export const markAnswered = (member: string, now = Date.now()): void => void observed.set(member, now);

export const inFlightOf = (member: string): number => inFlight.get(member) ?? 0;
export function begin(member: string): () => void {
  inFlight.set(member, inFlightOf(member) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const left = inFlightOf(member) - 1;
    if (left > 0) inFlight.set(member, left);
    else inFlight.delete(member);
  };
}

export function resetPoolMemory(): void {
  affinity.clear();
  observed.clear();
  inFlight.clear();
}
