// `npm start` runs its script under a shell, and a SIGTERM sent to npm (by `kill`, a process manager, an
// IDE's stop button) ends npm and that shell without reaching the script. The router must not go on
// serving, holding its port and its workerd processes, once what started it is gone.
import { afterEach, describe, expect, it } from "vitest";
import { freshClone, startIn } from "./fresh-clone.ts";

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
    const shell = startIn(dir, "sh", ["-c", `"${process.execPath}" cli/start.ts & echo "router pid $!"; wait $!`], { PORT: "0" });
    // The pipe closes when the last process holding it (the script, and anything it left running) is gone.
    const stdout = shell.child.stdout as NonNullable<typeof shell.child.stdout>;
    const closed = new Promise<void>((resolve) => stdout.on("close", () => resolve()));
    cleanups.push(async () => {
      // If the router outlived the shell after all, stop it here (its pid is not ours to wait on).
      const pid = /^router pid (\d+)$/m.exec(shell.output())?.[1];
      if (!pid || !stdout.readable) return;
      try {
        process.kill(Number(pid), "SIGTERM");
      } catch {
        // already gone
      }
      await closed;
    });
    const output = await shell.waitFor("Ctrl-C stops it.");
    const url = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    shell.child.kill("SIGTERM");
    await shell.exited;
    await closed;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 60_000);
});
