// The runtime's processes: which workerd processes a runtime started (they are children of this Node
// process), their /proc stat fields (cpu-cost.ts reads their CPU time from them) and their resident set
// size sampled while a measurement runs (Linux /proc).
import { readdirSync, readFileSync } from "node:fs";

/**
 * The fields of /proc/<pid>/stat after the command name, from the state on (field 3 is index 0), or
 * undefined when the process is gone. The command name is in parentheses and may hold spaces.
 */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Every workerd process below this one. */
export function workerdProcesses(): Set<number> {
  const found = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || !commandOf(pid).startsWith("workerd")) continue;
    for (let p: number | undefined = pid, hops = 0; p && p > 1 && hops < 20; p = parentOf(p), hops++) {
      if (p === process.pid) {
        found.add(pid);
        break;
      }
    }
  }
  return found;
}

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface MemorySampler {
  /** The highest sum of the processes' RSS seen since start, in bytes. */
  stop(): { peakRssBytes: number; hwmBytes: number };
}

/** Samples the summed RSS of `pids` every `everyMs` until stopped. */
export function sampleMemory(pids: readonly number[], everyMs = 50): MemorySampler {
  let peak = 0;
  const sample = () => {
    peak = Math.max(
      peak,
      pids.reduce((sum, pid) => sum + statusField(pid, "VmRSS"), 0),
    );
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRssBytes: peak, hwmBytes: pids.reduce((sum, pid) => sum + statusField(pid, "VmHWM"), 0) };
    },
  };
}
