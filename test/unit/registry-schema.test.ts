import { describe, expect, it } from "vitest";
import example from "../../providers.example.json";
import { checkRegistry } from "../../src/registry/schema.ts";

const provider = (overrides: Record<string, unknown> = {}) => ({ id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: "https://sam.example.net", ...overrides });
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
    expect(checked.registry.providers.map((p) => [p.id, p.enabled])).toEqual([["sam-desktop", true], ["embedding", true], ["deepseek", false]]);
    expect((checked.registry.providers[0] as { sidecarUrl?: string } | undefined)?.sidecarUrl).toBe("https://sam-sidecar.example.net");
  });

  it("fills defaults: auth none, enabled, https transport", () => {
    const checked = checkRegistry({ providers: [provider()] });
    expect(checked.ok && checked.registry.providers[0]).toMatchObject({ auth: { type: "none" }, enabled: true, transport: { type: "https" }, timeouts: {} });
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
    ["an Access client id value", { auth: { type: "access", clientIdSecret: "0d6b2f8e.access", clientSecretSecret: "SAM_SECRET" } }, "providers[0].auth"],
    ["a VPC binding with a bad name", { transport: { type: "vpc", binding: "my binding" } }, "providers[0].transport.binding"],
  ])("rejects %s, naming the field", (_name, overrides, path) => {
    const problems = problemsOf({ providers: [provider(overrides)] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toContain(path);
  });

  it("accepts plain http only for local development hosts", () => {
    for (const baseUrl of ["http://localhost:8080", "http://127.0.0.1:9292", "http://[::1]:8080"]) expect(problemsOf({ providers: [provider({ baseUrl })] })).toEqual([]);
  });

  it("accepts a list of auth methods: Access in front of llama-swap's own API key", () => {
    const auth = [{ type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" }, { type: "bearer", secret: "SAM_LLAMA_SWAP_KEY" }];
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
});
