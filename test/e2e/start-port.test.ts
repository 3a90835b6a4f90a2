// A port already taken (by another npm start, say) is one clear line naming the port and PORT, and a
// non-zero exit within 5 s: for `npm start` and for `npm run demo`.
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshClone, startScript } from "./fresh-clone.ts";

let blocker: Server;
let port: number;
let clone: Awaited<ReturnType<typeof freshClone>>;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  port = (blocker.address() as AddressInfo).port;
  clone = await freshClone();
});
afterAll(async () => {
  blocker.close();
  await clone.remove();
});

describe("a port in use", () => {
  it.each([
    ["npm start", "cli/start.ts"],
    ["npm run demo", "demo/run.ts"],
  ])("%s says so and exits non-zero within 5 s", async (_name, script) => {
    const started = performance.now();
    const run = startScript(clone.dir, script, { PORT: String(port) });
    const code = await run.exited;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(code).not.toBe(0);
    expect(run.output()).toContain(`Port ${port} is already in use`);
    expect(run.output()).toContain("PORT=");
    expect(run.output()).not.toMatch(/\n\s+at /);
  });
});
