// CPU time from Linux /proc: of given processes (their user + system time) and of the whole machine.
// The bench reads it around blocks of requests (cpu-cost.ts, measurements.ts).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { statFields } from "./memory.ts";

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux as built today). */
const TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The CPU ms the processes have used so far (exited ones count 0). */
export function cpuMsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    // utime and stime are the stat file's fields 14 and 15.
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS;
}

/**
 * The machine's CPU so far (every core, /proc/stat): busy and total ms. Busy ÷ total over an interval is
 * how much of the machine was in use, which shows when a run is bound by the machine's cores rather than
 * by one process.
 */
export function machineCpuMs(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: ((total - idle) * 1000) / TICKS, total: (total * 1000) / TICKS };
}
