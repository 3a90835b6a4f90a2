// `npx llama-edge doctor` against the Worker under wrangler and hosts on real sockets: one that is
// fine, one whose secret is not set, a tunnel that is down (530), Access refusing the token (302), a
// baseUrl with one /v1 too many, and a dead host. Each is named with its reason; exit 1 on a problem,
// 0 once only the fine host is left.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { CANARY_VALUES } from "../secrets.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

const root = join(import.meta.dirname, "../..");
let router: RunningRouter;
let fine: LlamaSwapDouble;
const hosts: NodeHost[] = [];
let deadUrl: string;

function doctor(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bin/llama-edge.mjs"), "doctor", ...args], {
      cwd: root,
      env: { ...process.env, ADMIN_TOKEN: router.adminToken },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port that was free a moment ago and has nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const serve = async (handler: (r: Request) => Promise<Response>) => {
  const host = await serveNode(handler);
  hosts.push(host);
  return host.url;
};

beforeAll(async () => {
  fine = llamaSwapDouble({ name: "fine", models: [{ id: "qwen3", status: "loaded" }, "gemma3"] });
  const fineUrl = await serve(fine.handle);
  const tunnelUrl = await serve(
    async () =>
      new Response("<html>error code: 1033</html>", { status: 530, headers: { server: "cloudflare", "content-type": "text/html" } }),
  );
  const accessUrl = await serve(
    async () => new Response(null, { status: 302, headers: { location: "https://team.cloudflareaccess.com/cdn-cgi/access/login" } }),
  );
  const doubledUrl = await serve(llamaSwapDouble().handle);
  deadUrl = `http://127.0.0.1:${await closedPort()}`;
  router = await startRouter({
    users: [],
    registry: {
      providers: [
        { id: "fine", label: "Fine", kind: "llama-swap", baseUrl: fineUrl },
        { id: "keyless", label: "Keyless", kind: "llama-swap", baseUrl: fineUrl, auth: { type: "bearer", secret: "KEYLESS_HOST_KEY" } },
        { id: "tunnel", label: "Tunnel", kind: "llama-swap", baseUrl: tunnelUrl },
        { id: "access", label: "Access", kind: "llama-swap", baseUrl: accessUrl },
        { id: "doubled", label: "Doubled", kind: "llama-swap", baseUrl: `${doubledUrl}/v1` },
        { id: "dead", label: "Dead", kind: "llama-swap", baseUrl: deadUrl },
      ],
    },
  });
});
afterAll(async () => {
  await router?.stop();
  await Promise.all(hosts.map((h) => h.stop()));
});

describe("npx llama-edge doctor", () => {
  it("names each broken provider with its reason and fix, and exits 1", async () => {
    const { code, stdout, stderr } = await doctor("--url", router.url);
    expect(code, stderr).toBe(1);
    const line = (id: string) => stdout.split("\n").find((l) => new RegExp(`^\\S+\\s+${id}\\s`).test(l)) ?? "";
    expect(line("fine")).toMatch(
      /^ok\s+fine\s+2 models, 1 loaded; llama-swap current \(main\); lists status; \/props answers for loaded models/,
    );
    expect(line("fine")).toMatch(/\d+ ms$/);
    expect(line("keyless")).toMatch(/^FAIL\s+keyless\s+secret_missing: the Worker secret KEYLESS_HOST_KEY is not set/);
    expect(stdout).toContain("fix: run npx llama-edge secrets set KEYLESS_HOST_KEY");
    expect(line("tunnel")).toMatch(/^FAIL\s+tunnel\s+tunnel_down/);
    expect(line("access")).toMatch(/^FAIL\s+access\s+access_refused: redirected \(HTTP 302\)/);
    expect(line("doubled")).toMatch(/^FAIL\s+doubled\s+double_v1/);
    expect(line("dead")).toMatch(/^FAIL\s+dead\s+unreachable/);
    expect(stdout).toContain("5 provider(s) with a problem.");
    for (const canary of CANARY_VALUES) expect(stdout + stderr).not.toContain(canary);
    // Nothing was loaded: props was asked only for the model the host shows loaded.
    expect(fine.requests.filter((r) => r.path === "/props").map((r) => r.search)).toEqual(["?model=qwen3"]);
    expect(fine.models.get("gemma3")?.status).toBe("unloaded");
  });

  it("exits 0 when every provider is fine", async () => {
    const current = (await (await router.admin("/admin/providers")).json()) as { providers: { id: string }[] };
    const put = await router.admin("/admin/providers", {
      method: "PUT",
      body: JSON.stringify({ ...current, providers: current.providers.filter((p) => p.id === "fine") }),
    });
    expect(put.status).toBe(200);
    const { code, stdout } = await doctor("--url", router.url);
    expect(code).toBe(0);
    expect(stdout).toContain("All 1 enabled provider(s) ok.");
  });

  it("says clearly when nothing answers or the token is wrong", async () => {
    const nothing = await doctor("--url", deadUrl);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain(`Nothing answers at ${deadUrl}`);
    const wrong = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(root, "bin/llama-edge.mjs"), "doctor", "--url", router.url], {
        cwd: root,
        env: { ...process.env, ADMIN_TOKEN: "not-the-token-at-all" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("refused the admin token");
  });
});
