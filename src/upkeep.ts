// Background upkeep: a remembered key or the registry read again from KV once its fresh window is over.
// The request that notices it is due does not wait for it, and the work does not start inside that
// request either: it starts UPKEEP_DELAY_MS later, by when a request's own work is done or it is waiting
// on its host. Begun at once, the read and its parsing ran between the request's own steps. Locally
// (where KV runs in the same workerd process) that added 2 to 3.5 ms to the first request after a few
// seconds of quiet, the usual case for a chat or an agent between turns (issue 16).
export const UPKEEP_DELAY_MS = 25;

/** Runs `work` a moment from now, kept alive by the request's `waitUntil`; the promise is the work's. */
export function upkeepSoon<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<void>((resolve) => setTimeout(resolve, UPKEEP_DELAY_MS)).then(work);
}
