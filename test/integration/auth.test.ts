import { describe, expect, it } from "vitest";
import { revokeKey } from "../../src/auth/api-keys.ts";
import { adminToken, call, dumpResponse, expectNoSecrets, testEnv, userKey } from "../helpers/worker.ts";

const unauthorizedBody = {
  error: {
    message: "Missing or invalid API key. Send it as 'Authorization: Bearer <key>'.",
    type: "authentication_error",
    param: null,
    code: "invalid_api_key",
  },
};

describe("API keys on user routes", () => {
  it("a missing, malformed, unknown or revoked key gets the same 401", async () => {
    const key = await userKey("alice");
    const keyId = key.split("_")[1] as string;
    await revokeKey(testEnv, keyId);
    const unknown = `le_${"0".repeat(12)}_${"A".repeat(43)}`;
    const variants: Record<string, string>[] = [{}, { authorization: "Bearer" }, { authorization: "Basic abc" }, { authorization: `Bearer ${unknown}` }, { authorization: `Bearer ${key}` }, { authorization: `Bearer ${adminToken}` }];
    for (const headers of variants) {
      const res = await call("/api/settings", { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(unauthorizedBody);
    }
  });

  it("a valid key passes authentication", async () => {
    const key = await userKey("bob");
    const res = await call("/v1/does-not-exist", { key });
    expect(res.status).toBe(404);
    const text = await dumpResponse(res);
    expectNoSecrets(text);
    expect(text).not.toContain(key);
  });

  it("the admin API refuses user keys and accepts the admin token", async () => {
    const key = await userKey("carol");
    expect((await call("/admin/nothing", { key })).status).toBe(401);
    expect((await call("/admin/nothing", { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(404);
  });
});
