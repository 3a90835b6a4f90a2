// The operator CLI against the same local state the router serves, as an operator would use them.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRouter, type RunningRouter } from "./harness.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, "bin/llama-edge.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npx llama-edge", () => {
  let state: string;
  let router: RunningRouter | undefined;
  beforeAll(async () => {
    state = await mkdtemp(join(tmpdir(), "llama-edge-cli-"));
  });
  afterAll(async () => {
    await router?.stop();
    await rm(state, { recursive: true, force: true });
  });

  it("providers check accepts the example and names the bad field of a broken file", async () => {
    const good = await cli("providers", "check", "providers.example.json");
    expect(good.code).toBe(0);
    expect(good.stdout).toContain("valid");
    const badFile = join(state, "bad.json");
    await writeFile(badFile, JSON.stringify({ providers: [{ id: "x", label: "x", kind: "llama-swap", baseUrl: "http://x.example.net" }] }));
    const bad = await cli("providers", "check", badFile);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("providers[0].baseUrl");
  });

  it("providers check warns offline: a /v1 too many, a secret not in .dev.vars, a fallback naming nothing, metadata and the router's own origin", async () => {
    const file = join(state, "warn.json");
    await writeFile(
      file,
      JSON.stringify({
        providers: [
          {
            id: "sam",
            label: "Sam",
            kind: "llama-swap",
            baseUrl: "https://sam.example.net/v1",
            auth: { type: "bearer", secret: "SAM_CHECK_ONLY_KEY" },
            fallbacks: ["garage/qwen3"],
          },
          { id: "meta", label: "Meta", kind: "openai", baseUrl: "https://169.254.169.254" },
          { id: "self", label: "Self", kind: "llama-swap", baseUrl: "http://127.0.0.1:8787" },
          { id: "lan", label: "LAN", kind: "llama-swap", baseUrl: "http://192.168.1.5:8080" },
        ],
      }),
    );
    const checked = await cli("providers", "check", file);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain("sam: baseUrl ends in /v1");
    expect(checked.stdout).toContain("sam: the secret SAM_CHECK_ONLY_KEY is not in .dev.vars");
    expect(checked.stdout).toContain("npx llama-edge secrets set SAM_CHECK_ONLY_KEY --local");
    expect(checked.stdout).toContain("'garage/qwen3'");
    expect(checked.stdout).toContain("meta: baseUrl is a cloud metadata address");
    expect(checked.stdout).toContain("self: baseUrl is the router's own address");
    expect(checked.stdout).toContain("lan: baseUrl uses plain http");
  });

  it("providers check refuses auth written as a string and duplicate ids, saying how to fix them", async () => {
    const file = join(state, "slips.json");
    const p = { label: "X", kind: "llama-swap", baseUrl: "https://x.example.net" };
    await writeFile(file, JSON.stringify({ providers: [{ id: "a", ...p, auth: "none" }] }));
    const checked = await cli("providers", "check", file);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('providers[0].auth: must be an object, not a string: write "auth": {"type":"none"}');
    await writeFile(
      file,
      JSON.stringify({
        providers: [
          { id: "b", ...p },
          { id: "b", ...p },
        ],
      }),
    );
    const duplicate = await cli("providers", "check", file);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("providers[1].id: duplicate provider id 'b'");
  });

  it("keys create prints the key alone on its last line; the router accepts it; revoke ends it", async () => {
    const created = await cli("keys", "create", "alice", "--label", "laptop", "--persist-to", state);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim().split("\n").at(-1) as string;
    expect(key).toMatch(/^le_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const pushed = await cli("providers", "push", "providers.example.json", "--persist-to", state);
    expect(pushed.code, pushed.stderr).toBe(0);

    router = await startRouter({ stateDir: state, users: [] });
    const ok = await fetch(`${router.url}/admin/providers`, { headers: { authorization: `Bearer ${router.adminToken}` } });
    expect(((await ok.json()) as { providers: { id: string }[] }).providers.map((p) => p.id)).toEqual([
      "sam-desktop",
      "embedding",
      "deepseek",
    ]);
    const accepted = await fetch(`${router.url}/v1/no-such-route`, { headers: { authorization: `Bearer ${key}` } });
    expect(accepted.status).toBe(404);
    const madeUp = await fetch(`${router.url}/v1/no-such-route`, {
      headers: { authorization: `Bearer le_${"0".repeat(12)}_${"A".repeat(43)}` },
    });
    expect(madeUp.status).toBe(401);

    const listed = await cli("keys", "list", "--persist-to", state);
    const keyId = key.split("_")[1] as string;
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).toContain("laptop");
    expect(listed.stdout).not.toContain(key);

    expect((await cli("keys", "revoke", keyId, "--persist-to", state)).code).toBe(0);
    // The router uses a verified key for a second, then reads it again in the background while still using
    // it: the revocation shows once that read is done. Poll until it does (bounded).
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (Date.now() < deadline && status !== 401) {
      status = (await fetch(`${router.url}/v1/no-such-route`, { headers: { authorization: `Bearer ${key}` } })).status;
    }
    expect(status).toBe(401);
  }, 90_000);
});
