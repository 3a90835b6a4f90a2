import { describe, expect, it } from "vitest";
import example from "../../providers.example.json";
import { registryWarnings } from "../../src/doctor/registry-warnings.ts";
import { checkRegistry, type RegistryDocument } from "../../src/registry/schema.ts";

const provider = (overrides: Record<string, unknown> = {}) => ({
  id: "sam-desktop",
  label: "Sam",
  kind: "llama-swap",
  baseUrl: "https://sam.example.net",
  ...overrides,
});
const problemsOf = (doc: unknown) => {
  const checked = checkRegistry(doc);
  return checked.ok ? [] : checked.problems;
};

describe("the provider registry schema", () => {
  it("accepts providers.example.json: sam-desktop (default, with a sidecar), embedding, a disabled deepseek", () => {
    const checked = checkRegistry(example);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.registry.defaultProvider).toBe("sam-desktop");
    expect(checked.registry.providers.map((p) => [p.id, p.enabled])).toEqual([
      ["sam-desktop", true],
      ["embedding", true],
      ["deepseek", false],
    ]);
    expect((checked.registry.providers[0] as { sidecarUrl?: string } | undefined)?.sidecarUrl).toBe("https://sam-sidecar.example.net");
  });

  it("fills defaults: auth none, enabled, https transport", () => {
    const checked = checkRegistry({ providers: [provider()] });
    expect(checked.ok && checked.registry.providers[0]).toMatchObject({
      auth: { type: "none" },
      enabled: true,
      transport: { type: "https" },
      timeouts: {},
    });
  });

  it.each([
    ["an id with capitals", { id: "Sam" }, "providers[0].id"],
    ["an id over 32 characters", { id: "a".repeat(33) }, "providers[0].id"],
    ["an unknown kind", { kind: "ollama" }, "providers[0].kind"],
    ["plain http to a public host", { baseUrl: "http://sam.example.net" }, "providers[0].baseUrl"],
    ["credentials in the URL", { baseUrl: "https://user:pw@sam.example.net" }, "providers[0].baseUrl"],
    ["a query", { baseUrl: "https://sam.example.net/?k=1" }, "providers[0].baseUrl"],
    ["a fragment", { sidecarUrl: "https://sam.example.net/#x" }, "providers[0].sidecarUrl"],
    ["an unknown field", { apiKey: "x" }, 'providers[0]: Unrecognized key: "apiKey"'],
    ["a secret value where a name belongs", { auth: { type: "bearer", secret: "sk-live-4f9a8b7c6d5e4f3a2b1c" } }, "providers[0].auth"],
    ["an upper-case token where a name belongs", { auth: { type: "bearer", secret: "ABCD1234EFGH5678IJKL9012" } }, "providers[0].auth"],
    [
      "an Access client id value",
      { auth: { type: "access", clientIdSecret: "0d6b2f8e.access", clientSecretSecret: "SAM_SECRET" } },
      "providers[0].auth",
    ],
    ["a VPC binding with a bad name", { transport: { type: "vpc", binding: "my binding" } }, "providers[0].transport.binding"],
  ])("rejects %s, naming the field", (_name, overrides, path) => {
    const problems = problemsOf({ providers: [provider(overrides)] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toContain(path);
  });

  it("accepts plain http only for local development hosts, private addresses and the VPC transport", () => {
    for (const baseUrl of ["http://localhost:8080", "http://127.0.0.1:9292", "http://[::1]:8080"])
      expect(problemsOf({ providers: [provider({ baseUrl })] })).toEqual([]);
    for (const baseUrl of [
      "http://192.168.1.5:8080",
      "http://10.0.0.7",
      "http://172.16.4.2:8080",
      "http://172.31.255.1",
      "http://gpu.local:8080",
      "http://nas.lan",
      "http://box.internal",
    ]) {
      expect(problemsOf({ providers: [provider({ baseUrl })] }), baseUrl).toEqual([]);
    }
    expect(
      problemsOf({ providers: [provider({ baseUrl: "http://sam.example.net", transport: { type: "vpc", binding: "SAM_VPC" } })] }),
    ).toEqual([]);
    for (const baseUrl of ["http://172.32.0.1", "http://192.169.1.5", "http://8.8.8.8", "http://local", "http://evil.lan.example.com"]) {
      expect(problemsOf({ providers: [provider({ baseUrl })] }).join(), baseUrl).toContain("providers[0].baseUrl: must use https");
    }
    expect(problemsOf({ providers: [provider({ sidecarUrl: "http://sam-sidecar.example.net" })] }).join()).toContain(
      "providers[0].sidecarUrl",
    );
  });

  it('explains "auth": "none" written as a string, without echoing other strings', () => {
    expect(problemsOf({ providers: [provider({ auth: "none" })] })).toEqual([
      'providers[0].auth: must be an object, not a string: write "auth": {"type":"none"}',
    ]);
    const pasted = problemsOf({ providers: [provider({ auth: "sk-live-4f9a8b7c6d5e" })] }).join();
    expect(pasted).toContain("providers[0].auth: must be an object");
    expect(pasted).not.toContain("sk-live");
  });

  it("accepts a list of auth methods: Access in front of llama-swap's own API key", () => {
    const auth = [
      { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" },
      { type: "bearer", secret: "SAM_LLAMA_SWAP_KEY" },
    ];
    expect(problemsOf({ providers: [provider({ auth })] })).toEqual([]);
  });

  it("rejects duplicate ids and a default that names no provider", () => {
    expect(problemsOf({ providers: [provider(), provider()] }).join()).toContain("duplicate provider id 'sam-desktop'");
    expect(problemsOf({ defaultProvider: "garage", providers: [provider()] }).join()).toContain("defaultProvider");
  });

  it("normalizes a trailing slash away so paths join cleanly", () => {
    const checked = checkRegistry({ providers: [provider({ baseUrl: "https://sam.example.net/" })] });
    expect(checked.ok && (checked.registry.providers[0] as { baseUrl?: string } | undefined)?.baseUrl).toBe("https://sam.example.net");
  });

  describe("offline warnings (providers check, doctor)", () => {
    const doc = (providers: Record<string, unknown>[], extra: Record<string, unknown> = {}) => {
      const checked = checkRegistry({ ...extra, providers });
      if (!checked.ok) throw new Error(checked.problems.join("; "));
      return checked.registry as RegistryDocument;
    };
    const codes = (registry: RegistryDocument, own: string[] = []) => registryWarnings(registry, own).map((w) => `${w.provider}:${w.code}`);

    it("flags a trailing /v1 on a llama-swap host only", () => {
      expect(codes(doc([provider({ baseUrl: "https://sam.example.net/v1/" })]))).toEqual(["sam-desktop:trailing_v1"]);
      expect(codes(doc([provider({ kind: "openai", baseUrl: "https://api.example.com/v1" })]))).toEqual([]);
    });

    it("flags metadata addresses, loopback hosts and the router's own origin", () => {
      expect(codes(doc([provider({ baseUrl: "https://169.254.169.254" })]))).toEqual(["sam-desktop:metadata_address"]);
      expect(codes(doc([provider({ baseUrl: "http://127.0.0.1:9000" })]))).toEqual(["sam-desktop:loopback"]);
      expect(codes(doc([provider({ baseUrl: "http://127.0.0.1:8787" })]), ["http://127.0.0.1:8787"])).toEqual(["sam-desktop:own_origin"]);
      expect(codes(doc([provider()]), ["http://127.0.0.1:8787"])).toEqual([]);
    });

    it("warns that plain http on a private network carries tokens unencrypted", () => {
      const [warning] = registryWarnings(doc([provider({ baseUrl: "http://192.168.1.5:8080" })]));
      expect(warning).toMatchObject({ code: "plain_http", message: expect.stringContaining("unencrypted") });
      expect(codes(doc([provider({ baseUrl: "http://sam.example.net", transport: { type: "vpc", binding: "SAM_VPC" } })]))).toEqual([
        "sam-desktop:plain_http",
      ]);
    });

    it("flags fallbacks that name no provider", () => {
      const registry = doc([provider({ fallbacks: ["garage/qwen3", "sam-desktop/other"], modelFallbacks: { big: ["nowhere/x"] } })]);
      expect(registryWarnings(registry).map((w) => w.message)).toEqual([
        expect.stringContaining("'garage/qwen3'"),
        expect.stringContaining("'nowhere/x'"),
      ]);
    });
  });
});
