// Captures the router's log lines. The router writes them in groups (src/observability/log-batch.ts):
// reading the captured lines first writes out the group still waiting, as its timer would.
import { vi } from "vitest";
import { flushLogLines } from "../../src/observability/log-batch.ts";

export interface LogCapture {
  /** Every line written so far, one string per line (a group's lines are separate arguments). */
  lines(): string[];
  /** The request log's lines, parsed. */
  entries(): Record<string, unknown>[];
  /** Each console.log call's arguments as made, without writing out the waiting group (for the grouping itself). */
  calls(): unknown[][];
  restore(): void;
}

export function captureLogs(): LogCapture {
  // Lines left waiting by an earlier test go to the real console, not into this capture.
  flushLogLines();
  const lines: string[] = [];
  const calls: unknown[][] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    calls.push(args);
    for (const arg of args) lines.push(String(arg));
  });
  const read = () => {
    flushLogLines();
    return lines;
  };
  return {
    lines: read,
    entries: () =>
      read()
        .filter((l) => l.startsWith('{"rid"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    calls: () => calls,
    restore: () => spy.mockRestore(),
  };
}
