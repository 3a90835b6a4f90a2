// The request log's lines are written in groups: one `console.log` call carries every line an isolate
// finished within LOG_BATCH_MS (each line its own argument, so `wrangler tail --format json` shows them
// as separate strings of one event's `message`). Why: a console.log call has a fixed cost that does not
// depend on its size, and under the local runtimes it is large: measured here, about 1.5 ms per call
// under `wrangler dev` with its inspector off and 3 ms with it on (the line goes to wrangler's Node
// process, and through the inspector relay), against a router whose own work is under 1 ms. A quiet
// isolate still writes each line alone, at most LOG_BATCH_MS late. Nothing is dropped: the first line of
// a group holds its request's `waitUntil` open until the group is written, so the runtime keeps the
// isolate for it, and a full group is written at once.

/** How long a line may wait for others. Short enough that `wrangler tail` still reads as live. */
export const LOG_BATCH_MS = 250;
/** A group is written as soon as it has this many lines or characters (Workers Logs truncates big events). */
const MAX_LINES = 32;
const MAX_CHARS = 32 * 1024;

let lines: string[] = [];
let chars = 0;
/** When the pending group's timer was set (0: none). */
let timerSetAt = 0;

/** Writes every line waiting, as one console.log call. */
export function flushLogLines(): void {
  if (lines.length === 0) return;
  const group = lines;
  lines = [];
  chars = 0;
  console.log(...group);
}

/** Queues one log line; `waitUntil` is the request's, kept open until the line is written. */
export function writeLogLine(line: string, waitUntil: (work: Promise<unknown>) => void): void {
  lines.push(line);
  chars += line.length;
  if (lines.length >= MAX_LINES || chars >= MAX_CHARS) {
    flushLogLines();
    return;
  }
  // A timer whose request was torn down (it ran out of CPU, say) never fires: after a while the next
  // line sets its own.
  const now = Date.now();
  if (timerSetAt !== 0 && now - timerSetAt < 4 * LOG_BATCH_MS) return;
  timerSetAt = now;
  const written = new Promise<void>((resolve) =>
    setTimeout(() => {
      timerSetAt = 0;
      flushLogLines();
      resolve();
    }, LOG_BATCH_MS),
  );
  // A stream's line can come after its request is over (a client that hung up): if the runtime no
  // longer takes work for it, the line waits for the next group instead of throwing into the stream.
  try {
    waitUntil(written);
  } catch {
    timerSetAt = 0;
  }
}
