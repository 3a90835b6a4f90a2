// The conversation key (src/pools/conversation-key.ts): the same for every turn of one conversation,
// different for different conversations and users, read from the body's bytes without parsing them.
import { describe, expect, it } from "vitest";
import { conversationKey } from "../../src/pools/conversation-key.ts";

const bytes = (body: unknown) => new TextEncoder().encode(JSON.stringify(body));
const key = (body: unknown, user = "alice", headers: Record<string, string> = {}) =>
  conversationKey(new Headers(headers), user, bytes(body));

describe("the conversation key", () => {
  const system = { role: "system", content: "Be brief." };
  const turn1 = { model: "any/q", messages: [system, { role: "user", content: "Plan a trip" }] };
  const turn3 = {
    model: "any/q",
    stream: true,
    messages: [
      ...turn1.messages,
      { role: "assistant", content: "Where?" },
      { role: "user", content: "Rome" },
      { role: "assistant", content: "Ok" },
      { role: "user", content: "More" },
    ],
  };

  it("is the same for later turns that repeat the start, whatever follows or comes before `messages`", () => {
    expect(key(turn3)).toBe(key(turn1));
    expect(key({ tools: [{ type: "function" }], ...turn3 })).toBe(key(turn1));
  });

  it("differs for another first user turn, another user, and a shared system prompt does not merge them", () => {
    expect(key({ model: "any/q", messages: [system, { role: "user", content: "Write a poem" }] })).not.toBe(key(turn1));
    expect(key(turn1, "bob")).not.toBe(key(turn1));
  });

  it("reads `input` and `prompt` too, and ignores a key that only appears inside a string", () => {
    expect(key({ model: "m", input: "hello there" })).toBe(key({ model: "m", input: "hello there", instructions: "x" }));
    expect(key({ model: "m", prompt: "once upon" })).not.toBe(key({ model: "m", prompt: "a time" }));
    const tricky = { model: "m", note: '"messages": [1]', messages: [{ role: "user", content: "real" }] };
    expect(key(tricky)).toBe(key({ model: "m", messages: [{ role: "user", content: "real" }] }));
  });

  it("hashes at most the first 4 KiB of a very long first turn", () => {
    const long = "x".repeat(100_000);
    expect(key({ model: "m", messages: [{ role: "user", content: `${long}a` }] })).toBe(
      key({ model: "m", messages: [{ role: "user", content: `${long}b` }] }),
    );
  });

  it("a session header wins over the body", () => {
    expect(key(turn1, "alice", { "x-session-id": "s1" })).toBe(key({ model: "m", messages: [] }, "alice", { "x-session-id": "s1" }));
    expect(key(turn1, "alice", { "x-claude-code-session-id": "s1" })).not.toBe(key(turn1));
  });
});
