// `npm start` as a newcomer meets it, in a fresh clone: with no providers.json it serves the built-in
// demo hosts and prints a key and commands that work; with a providers.json it serves that, and a
// host's secret set with `secrets set --local` is used by the running router without a restart.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { cliIn, freshClone, startScript, type Started } from "./fresh-clone.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function clone(): Promise<string> {
  const { dir, remove } = await freshClone();
  cleanups.push(remove);
  return dir;
}

function start(dir: string, env: Record<string, string> = {}): Started {
  const started = startScript(dir, "cli/start.ts", { PORT: "0", ...env });
  cleanups.push(() => started.stop());
  return started;
}

describe("npm start", () => {
  it("on a fresh clone serves the demo hosts and prints a key and a streamed chat that answers", async () => {
    const dir = await clone();
    const started = start(dir);
    const output = await started.waitFor("Ctrl-C stops it.");
    expect(output).toContain("DEMO");
    expect(output).not.toMatch(/ENOTFOUND|getaddrinfo|\n\s+at /);
    const url = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
    const key = /export LLAMA_EDGE_KEY=(\S+)/.exec(output)?.[1] as string;
    expect(output).toContain(`curl -N ${url}/v1/chat/completions`);

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["demo-gpu/demo-chat", "demo-gpu/demo-coder", "demo-embed/demo-embed"]);
    const stream = await client.chat.completions.create({
      model: "demo-gpu/demo-chat",
      stream: true,
      messages: [{ role: "user", content: "Hello" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toContain("DEMO host");
    expect(await started.stop()).toBe(0);
  }, 90_000);

  it("serves providers.json; `secrets set NAME --local` makes a keyed host work without a restart", async () => {
    const host = llamaSwapDouble({ name: "garage", models: [{ id: "qwen3", status: "loaded" }], apiKey: "garage-host-key-4b1d" });
    const served: NodeHost = await serveNode(host.handle);
    cleanups.push(() => served.stop());
    const dir = await clone();
    const registry = {
      providers: [
        { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: served.url, auth: { type: "bearer", secret: "GARAGE_HOST_KEY" } },
      ],
    };
    await import("node:fs/promises").then((fs) => fs.writeFile(join(dir, "providers.json"), JSON.stringify(registry)));
    const started = start(dir);
    const output = await started.waitFor("Ctrl-C stops it.");
    expect(output).toContain("serving providers.json");
    expect(output).not.toContain("DEMO");
    const url = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
    const adminToken = /^ADMIN_TOKEN=(\S+)$/m.exec(await readFile(join(dir, ".dev.vars"), "utf8"))?.[1] as string;
    const created = await fetch(`${url}/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ user: "alice" }),
    });
    const { key } = (await created.json()) as { key: string };
    const chat = () =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "garage/qwen3", messages: [{ role: "user", content: "Hi" }] }),
      });

    const before = await chat();
    expect(before.status).toBe(500);
    expect(((await before.json()) as { error: { message: string } }).error.message).toContain(
      "npx llama-edge secrets set GARAGE_HOST_KEY --local",
    );

    const set = await cliIn(dir, ["secrets", "set", "GARAGE_HOST_KEY", "--local"], "garage-host-key-4b1d\n");
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain("garage-host-key-4b1d");
    const listed = await cliIn(dir, ["secrets", "list"]);
    expect(listed.stdout.split("\n")).toContain("GARAGE_HOST_KEY");
    expect(listed.stdout).not.toContain("garage-host-key-4b1d");

    await started.waitFor("re-bound", 15_000);
    const after = await chat();
    expect(after.status).toBe(200);
    expect(((await after.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      "garage answered qwen3",
    );
  }, 90_000);

  it("without providers.json serves a registry pushed earlier to local KV, and refuses a broken providers.json before starting", async () => {
    const dir = await clone();
    const pushed = await cliIn(dir, ["providers", "push", "providers.example.json"]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const started = start(dir);
    const output = await started.waitFor("Ctrl-C stops it.");
    expect(output).toContain("serving the registry in local KV");
    expect(output).toContain("sam-desktop");
    expect(output).not.toContain("DEMO");
    expect(await started.stop()).toBe(0);

    await import("node:fs/promises").then((fs) =>
      fs.writeFile(
        join(dir, "providers.json"),
        JSON.stringify({ providers: [{ id: "x", label: "X", kind: "llama-swap", baseUrl: "https://x.example.net", auth: "none" }] }),
      ),
    );
    const broken = start(dir);
    expect(await broken.exited).toBe(1);
    expect(broken.output()).toContain('providers[0].auth: must be an object, not a string: write "auth": {"type":"none"}');
  }, 90_000);
});
