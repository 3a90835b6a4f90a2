// 10,000+ generated malformed requests through the real Worker in the real runtime: the router must
// never answer with a 5xx of its own, never throw, never show a canary secret, and never call a host
// for an inference request it should have refused (every generated inference body is invalid).
// Other routes may legitimately read hosts (GET /v1/models with a valid key), so a live host answers.
import fc from "fast-check";
import { INFERENCE_ROUTES } from "../../src/inference/routes-table.ts";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useOutbound } from "../doubles/outbound.ts";
import { call, expectNoSecrets, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
let key = "";

beforeAll(async () => {
  await putRegistry({
    defaultProvider: "sam-desktop",
    providers: [
      {
        id: "sam-desktop",
        label: "Sam",
        kind: "llama-swap",
        baseUrl: "https://sam.example.net",
        auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" },
      },
      {
        id: "deepseek",
        label: "DeepSeek",
        kind: "openai",
        baseUrl: "https://api.deepseek.example",
        auth: { type: "bearer", secret: "DEEPSEEK_API_KEY" },
        enabled: false,
      },
    ],
  });
  key = await userKey("fuzzer");
});

// Every JSON inference route of the route table: one parser, one resolver, the same refusals.
const INFERENCE = INFERENCE_ROUTES.filter((r) => r.method === "POST" && r.modelFrom === "json").map((r) => r.path);

// Model values that must be refused before any host is asked.
const badModel = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "a b",
    "sam-desktop/",
    "/x",
    "a//b",
    "sam-desktop/../props",
    "x?y",
    "x#y",
    "x\\y",
    "deepseek/deepseek-chat",
    "nosuch/model",
    "sam-destkop/qwen3",
  ),
  fc.string({ minLength: 257, maxLength: 400 }),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => `${s}\u0000`),
  fc.constantFrom(null, 0, 1.5, true, [], {}, ["sam-desktop/qwen3"]),
);

const badBody = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }), // mostly not JSON
  fc.constantFrom("", "null", "[]", "42", '"model"', "{", '{"model":', '{"model":"sam-desktop/q"', "\u0000{}"),
  fc.record({ model: badModel, messages: fc.anything({ maxDepth: 2 }) }).map((b) => JSON.stringify(b)),
  fc
    .dictionary(
      fc.string({ maxLength: 8 }).filter((k) => k !== "model"),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((b) => JSON.stringify(b)),
);

const oddHeaders = fc.dictionary(
  fc.constantFrom(
    "content-type",
    "accept",
    "x-forwarded-for",
    "cookie",
    "cf-connecting-ip",
    "x-api-key",
    "origin",
    "content-encoding",
    "x-request-id",
  ),
  fc.string({ maxLength: 60 }).map((v) => v.replace(/[\r\n\u0000]/g, "")),
);

const authHeader = fc.oneof(
  fc.constant("valid"),
  fc.constantFrom(
    undefined,
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "bearer le_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  ),
  fc.string({ maxLength: 80 }).map((s) => `Bearer ${s.replace(/[\r\n\u0000]/g, "")}`),
);

const oddPath = fc.oneof(
  fc.constantFrom(
    ...INFERENCE,
    "/v1/models",
    "/v1/models/",
    "/v1/models/%2F%2F",
    "/v1/models/..%2F..",
    "/api/settings",
    "/api/picker",
    "/api/models/x/context",
    "/admin/providers",
    "/admin/keys",
    "/v1",
    "/",
    "/%00",
    "/v1/chat/completions/extra",
  ),
  fc.webPath().map((p) => p || "/"),
);

const request = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND"),
  path: oddPath,
  auth: authHeader,
  headers: oddHeaders,
  body: badBody,
});

// A bare id such as `sam-destkop/qwen3` may make the router read the default host's model list (is it a
// model there, or a mistyped provider?); what must never happen is an inference call.
const inferenceCalls = () => outbound().requests.filter((q) => !q.url.endsWith("/v1/models")).length;

describe("fuzzing the router with malformed requests", () => {
  beforeEach(() => {
    outbound().route("https://sam.example.net", () =>
      Response.json({ object: "list", data: [{ id: "qwen3", object: "model", owned_by: "llama-swap", created: 0 }] }),
    );
  });

  it("answers 10,000 malformed requests with 4xx, no host calls, no secrets", async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        count++;
        const before = inferenceCalls();
        const headers = new Headers();
        for (const [name, value] of Object.entries(r.headers)) headers.set(name, value);
        const authValue = r.auth === "valid" ? `Bearer ${key}` : r.auth;
        if (authValue !== undefined) headers.set("authorization", authValue);
        const hasBody = !["GET", "HEAD"].includes(r.method);
        let res: Response;
        try {
          res = await call(r.path, { method: r.method, headers, body: hasBody ? r.body : undefined });
        } catch (error) {
          // A URL the Request constructor itself refuses never reaches the router.
          if (error instanceof TypeError && /URL|url/.test(error.message)) return;
          throw error;
        }
        const text = r.method === "HEAD" ? "" : await res.text();
        expect(res.status, `${r.method} ${r.path} -> ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
        const inference = INFERENCE.includes(r.path) && r.method === "POST";
        if (inference) {
          expect(res.status, `${r.path} accepted ${r.body.slice(0, 100)}`).toBeGreaterThanOrEqual(400);
          expect(inferenceCalls(), `a host was called for ${r.body.slice(0, 100)}`).toBe(before);
        }
        if (res.status >= 400 && r.method !== "HEAD") {
          const body = JSON.parse(text) as { error?: { message?: unknown; type?: unknown; code?: unknown } };
          expect(typeof body.error?.message).toBe("string");
          expect(typeof body.error?.type).toBe("string");
        }
        expectNoSecrets(text + [...res.headers].join("\n"));
      }),
      { numRuns: 10_000 },
    );
    expect(count).toBeGreaterThanOrEqual(10_000);
  }, 180_000);

  // Multipart uploads (audio to transcribe, images to edit): the reader works on the raw bytes as they
  // stream in, so garbage of every kind must be a 400/413 before any host is chosen.
  const MULTIPART = INFERENCE_ROUTES.filter((r) => r.modelFrom === "multipart").map((r) => r.path);
  const boundary = fc.stringMatching(/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/);
  const field = (name: string, value: string, extra = "") => `Content-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}`;
  const part = fc.oneof(
    badModel.map((m) => field("model", typeof m === "string" ? m : JSON.stringify(m))),
    fc.constant(field("model", "sam-desktop/qwen3", '; filename="model.txt"')), // a model that is a file
    fc.string({ unit: "binary", maxLength: 300 }).map((data) => field("file", data, '; filename="a.wav"\r\nContent-Type: audio/wav')),
    fc.constant(`Content-Disposition: form-data; name="file"; x="${"h".repeat(17 * 1024)}"\r\n\r\nhuge headers`),
    fc.string({ unit: "binary", maxLength: 80 }), // a header block that is not one
    fc.constantFrom(field("language", "en"), field("prompt", "hello")),
  );
  const form = fc.record({
    boundary,
    parts: fc.array(part, { maxLength: 4 }),
    close: fc.boolean(),
    otherBoundary: fc.boolean(),
  });
  const multipartRequest = fc.record({
    path: fc.constantFrom(...MULTIPART),
    contentType: fc.oneof(
      fc.constant("form"),
      fc.constantFrom(
        undefined,
        "multipart/form-data",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary=""',
        "multipart/mixed; boundary=x",
        "application/json",
      ),
      fc.string({ maxLength: 120 }).map((b) => `multipart/form-data; boundary=${b.replace(/[\r\n\u0000]/g, "")}`),
    ),
    form,
    garbage: fc.option(fc.string({ unit: "binary", maxLength: 400 })),
  });

  it("answers 2,000 malformed multipart uploads with 4xx, no host calls, no secrets", async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(multipartRequest, async (r) => {
        count++;
        const before = inferenceCalls();
        const sep = r.form.otherBoundary ? `${r.form.boundary}x` : r.form.boundary;
        const body = r.garbage ?? `${r.form.parts.map((p) => `--${sep}\r\n${p}\r\n`).join("")}${r.form.close ? `--${sep}--\r\n` : ""}`;
        const headers = new Headers({ authorization: `Bearer ${key}` });
        const contentType = r.contentType === "form" ? `multipart/form-data; boundary=${r.form.boundary}` : r.contentType;
        if (contentType !== undefined) headers.set("content-type", contentType);
        const res = await call(r.path, { method: "POST", headers, body });
        const text = await res.text();
        expect(res.status, `${r.path} ${contentType} -> ${res.status} ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${r.path} ${contentType} -> ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(inferenceCalls(), `a host was called for ${body.slice(0, 100)}`).toBe(before);
        const error = (JSON.parse(text) as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
        expect(typeof error?.message).toBe("string");
        expect(typeof error?.code).toBe("string");
        expectNoSecrets(text + [...res.headers].join("\n"));
      }),
      { numRuns: 2_000 },
    );
    expect(count).toBeGreaterThanOrEqual(2_000);
  }, 180_000);
});
