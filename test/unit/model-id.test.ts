import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayName, formatModelId, MAX_MODEL_ID_LENGTH, parseModelId, type ProviderIds } from "../../src/model-id.ts";

const providers = (ids: string[], ...fallback: [string | undefined] | []): ProviderIds => ({
  has: (id) => ids.includes(id),
  defaultProvider: fallback.length ? fallback[0] : ids[0],
});

const registry = providers(["sam-desktop", "embedding", "deepseek", "garage"]);

describe("composite model ids", () => {
  it("embedding/deepseek-r1-qwen3-8b belongs to embedding, whatever other providers exist", () => {
    for (const ids of [
      ["sam-desktop", "embedding"],
      ["embedding", "deepseek"],
      ["deepseek", "embedding", "sam-desktop"],
    ]) {
      expect(parseModelId("embedding/deepseek-r1-qwen3-8b", providers(ids))).toEqual({
        ok: true,
        kind: "composite",
        ref: { provider: "embedding", model: "deepseek-r1-qwen3-8b" },
      });
    }
  });

  it("keeps slashes and colons of the wire model after the provider", () => {
    expect(parseModelId("sam-desktop/Qwen/Qwen3-8B-GGUF", registry)).toMatchObject({
      ok: true,
      kind: "composite",
      ref: { provider: "sam-desktop", model: "Qwen/Qwen3-8B-GGUF" },
    });
    expect(parseModelId("garage/peer-a/qwen3:high", registry)).toMatchObject({
      ok: true,
      ref: { provider: "garage", model: "peer-a/qwen3:high" },
    });
  });

  it("sends a bare id with a slash whose first part is no provider to the default provider, whole", () => {
    expect(parseModelId("Qwen/Qwen3-8B-GGUF", registry)).toEqual({
      ok: true,
      kind: "bare-slashed",
      ref: { provider: "sam-desktop", model: "Qwen/Qwen3-8B-GGUF" },
    });
    expect(parseModelId("sam-destkop/qwen3-32b", registry)).toMatchObject({
      kind: "bare-slashed",
      ref: { provider: "sam-desktop", model: "sam-destkop/qwen3-32b" },
    });
  });

  it("sends a legacy bare id to the default provider", () => {
    expect(parseModelId("qwen3-32b", registry)).toEqual({ ok: true, kind: "bare", ref: { provider: "sam-desktop", model: "qwen3-32b" } });
    expect(parseModelId("qwen3-32b", providers(["a", "b"], "b"))).toMatchObject({ ref: { provider: "b" } });
  });

  it("never guesses from a model-name prefix", () => {
    expect(parseModelId("deepseek-chat", registry)).toMatchObject({
      kind: "bare",
      ref: { provider: "sam-desktop", model: "deepseek-chat" },
    });
  });

  it("rejects ids that cannot be routed safely", () => {
    const bad = [
      "",
      " ",
      "a b",
      "tab\there",
      "new\nline",
      "sam-desktop/",
      "/qwen",
      "a//b",
      "sam-desktop/../etc",
      "q?x=1",
      "q#frag",
      "back\\slash",
      "nul\u0000",
      "c1\u0085",
      "x".repeat(MAX_MODEL_ID_LENGTH + 1),
    ];
    for (const id of bad) expect(parseModelId(id, registry).ok, JSON.stringify(id)).toBe(false);
    expect(parseModelId("x".repeat(MAX_MODEL_ID_LENGTH), registry).ok).toBe(true);
  });

  it("says so when a bare id has no default provider to go to", () => {
    expect(parseModelId("qwen3", providers(["a"], undefined))).toMatchObject({ ok: false, reason: "no_default_provider" });
  });

  it("display names strip only the provider prefix", () => {
    expect(displayName("sam-desktop/Qwen/Qwen3-8B-GGUF", "sam-desktop")).toBe("Qwen/Qwen3-8B-GGUF");
    expect(displayName("embedding/embedding/x", "embedding")).toBe("embedding/x");
    expect(displayName("qwen3", "sam-desktop")).toBe("qwen3");
  });
});

const providerId = fc.stringMatching(/^[a-z0-9-]{1,32}$/);
const segment = fc.stringMatching(/^[A-Za-z0-9._:@+-]{1,20}$/).filter((s) => s !== "..");
const wireModel = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));

describe("model id properties", () => {
  it("format then parse gives back the same reference", () => {
    fc.assert(
      fc.property(fc.uniqueArray(providerId, { minLength: 1, maxLength: 5 }), fc.nat(), wireModel, (ids, pick, model) => {
        const provider = ids[pick % ids.length] as string;
        const id = formatModelId({ provider, model });
        fc.pre(id.length <= MAX_MODEL_ID_LENGTH);
        const parsed = parseModelId(id, providers(ids));
        expect(parsed).toEqual({ ok: true, kind: "composite", ref: { provider, model } });
        expect(displayName(id, provider)).toBe(model);
      }),
      { numRuns: 2000 },
    );
  });

  it("no string makes the parser throw", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.uniqueArray(providerId, { maxLength: 4 }), (id, ids) => {
        const parsed = parseModelId(id, providers(ids));
        if (parsed.ok) expect(id.startsWith(`${parsed.ref.provider}/`) || parsed.ref.model === id).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
