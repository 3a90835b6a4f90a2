// Optional per-user usage points in Workers Analytics Engine. When the Worker has a dataset bound as
// `USAGE` (see docs/deploy.md), every inference request writes one point with the same fields as its
// log line: who, which provider and model, the status, timings and bytes; never a key, a prompt or a
// body. Without the binding nothing is written. Writing is fire-and-forget and never fails a request.
import type { Env, RequestLog } from "../env.ts";

/** The column layout, so queries can be written against it (docs/deploy.md). */
export const USAGE_COLUMNS = {
  blobs: ["user", "key", "provider", "model", "status", "fallback", "end"],
  doubles: ["ms", "ttfb_ms", "bytes"],
} as const;

export function recordUsage(
  env: Env,
  entry: RequestLog & { status: number; ms: number; ttfb_ms: number; bytes?: number; end?: string },
): void {
  const dataset = env.USAGE;
  if (!dataset || !entry.model) return;
  const text = (value: unknown) => (value === undefined ? "" : String(value));
  try {
    dataset.writeDataPoint({
      // Analytics Engine samples per index: indexing by user keeps each user's figures accurate.
      indexes: [text(entry.user)],
      blobs: USAGE_COLUMNS.blobs.map((name) => text(entry[name as keyof typeof entry])),
      doubles: [entry.ms, entry.ttfb_ms, entry.bytes ?? 0],
    });
  } catch {
    // Usage points are a convenience; a failing write must never cost the request.
  }
}
