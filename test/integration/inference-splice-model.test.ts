// The scanner that swaps the top-level `model` in the client's raw body: everything else must stay
// byte for byte, whatever the formatting, nesting, escapes or duplicate keys.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { useOutbound } from "../doubles/outbound.ts";
import { call, putRegistry, userKey } from "../helpers/worker.ts";
import { findTopLevelModel, spliceModel as spliceBytes } from "../../src/inference/splice-model.ts";

// The scanner works on the body's UTF-8 bytes; the properties are stated on text, so these wrappers
// encode, splice and decode (a slot's offsets are bytes, so the checks slice the bytes too).
const utf8 = new TextEncoder();
const text8 = new TextDecoder();
const outbound = useOutbound();
const spliceModel = (text: string, model: string): string => text8.decode(spliceBytes(utf8.encode(text), model));

/** Serializes JSON with whitespace drawn from `spaces` between every token, as hand-written bodies have. */
function render(value: unknown, spaces: string[]): string {
  let n = 0;
  const ws = () => spaces[n++ % spaces.length] ?? "";
  const go = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => go(x)).join(`${ws()},${ws()}`)}${ws()}]`;
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${go(x)}`);
      return `{${ws()}${entries.join(`${ws()},${ws()}`)}${ws()}}`;
    }
    return JSON.stringify(v);
  };
  return `${ws()}${go(value)}${ws()}`;
}

const whitespace = fc.array(fc.constantFrom("", " ", "\n", "\t", "\r\n", "  "), { minLength: 1, maxLength: 8 });
const modelId = fc.oneof(fc.string(), fc.constantFrom("sam-desktop/Qwen/Qwen3-8B-GGUF", 'we"ird\\id', "garage/peer/qwen3:high", "ü/🦙"));
const body = fc.record({
  before: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
  model: modelId,
  after: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
});

function build(parts: { before: Record<string, unknown>; model: string; after: Record<string, unknown> }): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parts.before)) if (k !== "model") object[k] = v;
  object.model = parts.model;
  for (const [k, v] of Object.entries(parts.after)) if (k !== "model" && !(k in object)) object[k] = v;
  return object;
}

describe("spliceModel", () => {
  it("changes exactly the model token: the text around it is untouched and it parses to the new model", () => {
    fc.assert(
      fc.property(body, whitespace, modelId, (parts, spaces, replacement) => {
        const original = build(parts);
        const text = render(original, spaces);
        const bytes = utf8.encode(text);
        const [slot] = findTopLevelModel(bytes);
        expect(slot).toBeDefined();
        const out = spliceModel(text, replacement);
        expect(out).toBe(
          text8.decode(bytes.subarray(0, slot!.start)) + JSON.stringify(replacement) + text8.decode(bytes.subarray(slot!.end)),
        );
        expect(JSON.parse(out)).toEqual({ ...JSON.parse(text), model: replacement });
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips: splicing the original id back gives the original text", () => {
    fc.assert(
      fc.property(body, whitespace, modelId, (parts, spaces, replacement) => {
        const text = render(build(parts), spaces);
        expect(spliceModel(spliceModel(text, replacement), parts.model)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves nested 'model' keys alone", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), modelId, (nested, replacement) => {
        const text = JSON.stringify({
          tools: [{ model: nested }],
          meta: { model: "inner", deep: { model: ["x"] } },
          model: "outer",
          messages: [{ content: '"model":"fake"' }],
        });
        expect(JSON.parse(spliceModel(text, replacement))).toEqual({ ...JSON.parse(text), model: replacement });
      }),
    );
  });

  it("finds a key spelled with escapes and ignores keys that only look like it", () => {
    const text = String.raw`{"\"model\"":"a","model\u0000":"b","mod\u0065l":"c","models":["d"],"Model":"e"}`;
    expect(JSON.parse(spliceModel(text, "new"))).toEqual({ '"model"': "a", "model\u0000": "b", model: "new", models: ["d"], Model: "e" });
  });

  it("replaces every duplicate top-level model, so no host can read a different one", () => {
    expect(spliceModel(`{"model":"a/x","n":1,"model" : "b/y"}`, "z")).toBe(`{"model":"z","n":1,"model" : "z"}`);
  });

  it("keeps numbers JSON.parse would change", () => {
    const text = `{"seed":18446744073709551615,"model":"m","temperature":1.0,"top_p":1e0,"x":-0}`;
    expect(spliceModel(text, "n")).toBe(`{"seed":18446744073709551615,"model":"n","temperature":1.0,"top_p":1e0,"x":-0}`);
  });

  it("keeps bytes that are not UTF-8 text outside the model as they were", () => {
    const prefix = utf8.encode(`{"model":"a","x":"`);
    const bytes = new Uint8Array([...prefix, 0xff, 0xfe, 0x22, 0x7d]);
    expect([...spliceBytes(bytes, "b")]).toEqual([...utf8.encode(`{"model":"b","x":"`), 0xff, 0xfe, 0x22, 0x7d]);
  });

  it("leaves a body without a top-level model as it was", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((k) => k !== "model"),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        whitespace,
        (object, spaces) => {
          const text = render(object, spaces);
          expect(spliceModel(text, "x")).toBe(text);
        },
      ),
    );
  });
});

describe("a large body on its way to the host", () => {
  it("arrives byte for byte with only the model changed, and again on a fallback after the first host read it all", async () => {
    await putRegistry({
      defaultProvider: "sam",
      providers: [
        { id: "sam", label: "Sam", kind: "llama-swap", baseUrl: "https://sam.big.example.net", fallbacks: ["garage/q"] },
        { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.big.example.net" },
      ],
    });
    const key = await userKey("big-body");
    const content = `${'line with "quotes" and \\ escapes, ü 🦙\n'.repeat(30_000)}`;
    const text = `{"seed":18446744073709551615,"model":"sam/q","messages":[{"role":"user","content":${JSON.stringify(content)}}],"temperature":1.0}`;
    const received: { host: string; body: Uint8Array }[] = [];
    outbound().route("https://sam.big.example.net", async (r) => {
      received.push({ host: "sam", body: new Uint8Array(await r.arrayBuffer()) });
      throw new TypeError("Network connection lost.");
    });
    outbound().route("https://garage.big.example.net", async (r) => {
      received.push({ host: "garage", body: new Uint8Array(await r.arrayBuffer()) });
      return Response.json({ id: "x", object: "chat.completion", choices: [] });
    });
    const res = await call("/v1/chat/completions", { key, body: text, method: "POST", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(received.map((r) => r.host)).toEqual(["sam", "garage"]);
    expect(text8.decode(received[0]!.body)).toBe(text.replace('"model":"sam/q"', '"model":"q"'));
    expect(text8.decode(received[1]!.body)).toBe(text.replace('"model":"sam/q"', '"model":"q"'));
    expect(received[1]!.body.byteLength).toBeGreaterThan(1024 * 1024);
  });
});
