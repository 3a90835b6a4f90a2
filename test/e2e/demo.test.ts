// `npm run demo` as a newcomer runs it: it starts, prints a key and commands that work, and Ctrl-C
// (SIGINT) stops it cleanly.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("npm run demo", () => {
  it("prints a working key and curl commands, and stops on SIGINT with exit 0", async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "../../demo/run.ts")], {
      env: { ...process.env, PORT: "0", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("Ctrl-C stops the demo")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`demo exited early (${code}):\n${output}`)));
      });
      const url = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
      const key = /export LLAMA_EDGE_KEY=(\S+)/.exec(output)?.[1] as string;
      expect(url).toBeTruthy();
      const models = (await (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        data: { id: string }[];
      };
      expect(models.data.map((m) => m.id)).toEqual(["demo-gpu/demo-chat", "demo-gpu/demo-coder", "demo-embed/demo-embed"]);
      const chat = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "demo-gpu/demo-chat", messages: [{ role: "user", content: "Hello" }] }),
      });
      expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toContain("DEMO");
      // What Claude Code (Anthropic Messages, x-api-key) and Codex CLI (Responses API) stream from a demo host.
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, {
          method: "POST",
          headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const messages = await post("/v1/messages?beta=true", {
        model: "demo-gpu/demo-chat",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "Hello" }],
      });
      expect(messages.headers.get("content-type")).toContain("text/event-stream");
      const events = await messages.text();
      expect(events).toContain("DEMO");
      expect(events.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
      const responses = await post("/v1/responses", { model: "demo-gpu/demo-chat", stream: true, input: "Hello" });
      const stream = await responses.text();
      expect(stream).toContain("event: response.output_text.delta");
      expect(stream).toContain("event: response.completed");
      expect(stream).toContain("DEMO");
      const count = await post("/v1/messages/count_tokens", {
        model: "demo-gpu/demo-chat",
        messages: [{ role: "user", content: "Hello" }],
      });
      expect(((await count.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
