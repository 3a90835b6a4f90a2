import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRouter, type RunningRouter } from "./harness.ts";

describe("the router under wrangler's local runtime", () => {
  let router: RunningRouter;
  beforeAll(async () => {
    router = await startRouter({ users: ["alice"] });
  });
  afterAll(() => router?.stop());

  it("serves /healthz and authenticates a key made through the admin API", async () => {
    expect(await (await fetch(`${router.url}/healthz`)).json()).toEqual({ ok: true });
    const good = await fetch(`${router.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${router.keys.alice}` } });
    expect(good.status).toBe(404);
    const bad = await fetch(`${router.url}/v1/nothing-here`, { headers: { authorization: "Bearer le_000000000000_made-up" } });
    expect(bad.status).toBe(401);
  });
});
