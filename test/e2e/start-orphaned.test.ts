// `npm start` runs its script under a shell, and a SIGTERM sent to npm (by `kill`, a process manager, an
// IDE's stop button) ends npm and that shell without reaching the script. The router must not go on
// serving, holding its port and its workerd processes, once what started it is gone.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { freshClone } from "./fresh-clone.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("npm start whose shell is killed", () => {
  it("stops the router and its runtime, and frees the port", async () => {
    const { dir, remove } = await freshClone();
    cleanups.push(remove);
    // Under a shell that waits for the script and does not pass SIGTERM on, as npm's does (started in the
    // background here so that the shell can tell its pid, for the cleanup below).
    const shell = spawn("sh", ["-c", `"${process.execPath}" cli/start.ts & echo "router pid $!"; wait $!`], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    // The pipe closes when the last process holding it (the script, and anything it left running) is gone.
    const closed = new Promise<void>((resolve) => shell.stdout.on("close", () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      shell.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ctrl-C stops it.")) resolve();
      });
      void closed.then(() => reject(new Error(`the router ended before it was ready:\n${output}`)));
    });
    shell.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    cleanups.push(async () => {
      // If the router outlived the shell after all, stop it here (its pid is not ours to wait on).
      const pid = /^router pid (\d+)$/m.exec(output)?.[1];
      if (!pid || !shell.stdout.readable) return;
      try {
        process.kill(Number(pid), "SIGTERM");
      } catch {
        // already gone
      }
      await closed;
    });
    await ready;
    const url = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const shellExited = new Promise((resolve) => shell.on("exit", resolve));
    shell.kill("SIGTERM");
    await shellExited;
    await closed;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 60_000);
});
