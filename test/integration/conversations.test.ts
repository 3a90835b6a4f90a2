// Saved chats under /api/conversations: per user, newest first, bounded, checked at the boundary.
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_CONVERSATION_BYTES, MAX_CONVERSATIONS } from "../../src/users/conversations.ts";
import type { UserState } from "../../src/users/user-state.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, userKey } from "../helpers/worker.ts";

useOutbound();
let alice = "";
let aliceId = "";
let bob = "";

beforeEach(async () => {
  aliceId = `alice-${crypto.randomUUID()}`;
  alice = await userKey(aliceId);
  bob = await userKey(`bob-${crypto.randomUUID()}`);
});

const put = (key: string, id: string, json: unknown) => call(`/api/conversations/${id}`, { key, method: "PUT", json });
const list = async (key: string) =>
  ((await (await call("/api/conversations", { key })).json()) as { data: { id: string; title: string; updated_at: number }[] }).data;
const chat = (text: string, extra: object = {}) => ({
  model: "sam-desktop/qwen3-32b",
  messages: [
    { role: "user", content: text },
    { role: "assistant", content: "**Hi**", reasoning: "think" },
  ],
  ...extra,
});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; type: string } }).error;

describe("/api/conversations", () => {
  it("creates, reads, lists newest first titled from the first message, renames and deletes", async () => {
    expect(await list(alice)).toEqual([]);
    const created = await put(alice, "conv-aaaaaaaa", chat("How do I   bake bread?", { updated_at: 1000 }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: "conv-aaaaaaaa",
      title: "How do I bake bread?",
      model: "sam-desktop/qwen3-32b",
      updated_at: 1000,
    });
    expect(
      (
        await put(
          alice,
          "conv-bbbbbbbb",
          chat("Second", { updated_at: 2000, system: "Be brief.", settings: { temperature: 0.2, max_tokens: 64 } }),
        )
      ).status,
    ).toBe(201);
    expect((await list(alice)).map((c) => [c.id, c.title])).toEqual([
      ["conv-bbbbbbbb", "Second"],
      ["conv-aaaaaaaa", "How do I bake bread?"],
    ]);

    const one = await call("/api/conversations/conv-bbbbbbbb", { key: alice });
    expect(await one.json()).toMatchObject({
      id: "conv-bbbbbbbb",
      system: "Be brief.",
      settings: { temperature: 0.2, max_tokens: 64 },
      messages: [
        { role: "user", content: "Second" },
        { role: "assistant", content: "**Hi**", reasoning: "think" },
      ],
    });

    // Replacing keeps the id and created_at, and moves it to the top.
    const replaced = await put(alice, "conv-aaaaaaaa", chat("How do I bake bread?", { updated_at: 3000, title: "Bread" }));
    expect(replaced.status).toBe(200);
    expect((await list(alice)).map((c) => c.title)).toEqual(["Bread", "Second"]);

    const renamed = await call("/api/conversations/conv-bbbbbbbb", { key: alice, method: "PATCH", json: { title: "  Short answers " } });
    expect(await renamed.json()).toMatchObject({ title: "Short answers" });
    expect((await list(alice))[0]?.title).toBe("Short answers");

    expect((await call("/api/conversations/conv-bbbbbbbb", { key: alice, method: "DELETE" })).status).toBe(204);
    expect((await call("/api/conversations/conv-bbbbbbbb", { key: alice })).status).toBe(404);
    expect((await call("/api/conversations/conv-bbbbbbbb", { key: alice, method: "DELETE" })).status).toBe(404);
    expect((await list(alice)).map((c) => c.id)).toEqual(["conv-aaaaaaaa"]);
  });

  it("keeps users apart", async () => {
    await put(alice, "private-1", chat("Alice's secret"));
    expect(await list(bob)).toEqual([]);
    expect((await call("/api/conversations/private-1", { key: bob })).status).toBe(404);
    expect((await call("/api/conversations/private-1", { key: bob, method: "DELETE" })).status).toBe(404);
    expect((await list(alice)).length).toBe(1);
    expect((await call("/api/conversations", {})).status).toBe(401);
  });

  it("refuses bad input with an OpenAI-shaped 4xx and stores nothing", async () => {
    const cases: [string, unknown][] = [
      ["good-id-1", { messages: [{ role: "system", content: "x" }] }],
      ["good-id-1", { messages: "hello" }],
      ["good-id-1", { messages: [], extra: true }],
      ["good-id-1", { messages: [], settings: { temperature: 9 } }],
    ];
    for (const [id, body] of cases) {
      const res = await put(alice, id, body);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", code: "invalid_body" });
    }
    const badJson = await call("/api/conversations/good-id-1", {
      key: alice,
      method: "PUT",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(badJson.status).toBe(400);
    expect((await put(alice, "no", chat("x"))).status).toBe(404);
    expect((await put(alice, "has%20space", chat("x"))).status).toBe(404);
    const rename = await call("/api/conversations/good-id-1", { key: alice, method: "PATCH", json: { title: "" } });
    expect(rename.status).toBe(400);
    expect(await list(alice)).toEqual([]);
  });

  it("refuses a conversation over 2 MiB with 413, before reading it", async () => {
    const big = "x".repeat(MAX_CONVERSATION_BYTES + 32 * 1024);
    const res = await put(alice, "big-conv-1", { messages: [{ role: "user", content: big }] });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "conversation_too_large", type: "invalid_request_error" });
    // Just under the request limit but over the stored document's limit: refused too.
    const edge = await put(alice, "big-conv-1", { messages: [{ role: "user", content: "y".repeat(MAX_CONVERSATION_BYTES) }] });
    expect(edge.status).toBe(413);
    expect(await list(alice)).toEqual([]);
  });

  it("stores a conversation near 2 MiB across parts and reads it back whole", async () => {
    const text = `${"é".repeat(600_000)}end`; // multi-byte, ~1.2 MB as UTF-8
    expect((await put(alice, "large-ok-1", { messages: [{ role: "user", content: text }] })).status).toBe(201);
    const back = (await (await call("/api/conversations/large-ok-1", { key: alice })).json()) as {
      messages: { content: string }[];
      bytes: number;
    };
    expect(back.messages[0]?.content).toBe(text);
    expect(back.bytes).toBeGreaterThan(1_200_000);
  });

  it(`refuses a new conversation past ${MAX_CONVERSATIONS} with 409, while existing ones can still be saved`, async () => {
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(aliceId)) as DurableObjectStub<UserState>;
    for (let i = 0; i < MAX_CONVERSATIONS; i++) await stub.putConversation(`filled-${String(i).padStart(4, "0")}`, { messages: [] }, i);
    const res = await put(alice, "one-too-many", chat("more"));
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({ code: "too_many_conversations" });
    expect((await put(alice, "filled-0001", chat("still fine"))).status).toBe(200);
    expect((await list(alice)).length).toBe(MAX_CONVERSATIONS);
  });
});
