// The web page as a chat client (issue 18), in Debian's chromium against the Worker under wrangler:
// rendered Markdown that cannot run or fetch anything, conversations that follow the user to another
// browser, regenerate / edit / retry, tool calls, models that are not for chat, two panes on a desktop.
// Every test leaves screenshots at 390 and 1280 px in test-results/web-page/.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { browserMissing, launchBrowser } from "./browser.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

const SHOTS = join(import.meta.dirname, "../../test-results/web-page");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const missing = browserMissing();

type Delta = { content?: string; reasoning_content?: string; tool_calls?: unknown[] };

/** An OpenAI chat stream of these deltas, `gapMs` apart. */
function sse(deltas: Delta[], gapMs = 0): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const delta of deltas) {
        const chunk = {
          id: "c1",
          object: "chat.completion.chunk",
          created: 0,
          model: "writer",
          choices: [{ index: 0, delta, finish_reason: null }],
        };
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
        if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      controller.enqueue(encoder.encode("data: [DONE]\n\n"));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

const MARKDOWN = [
  "## Plan",
  "",
  "Some **bold** text and a [safe link](https://example.com/docs).",
  "",
  "- first item",
  "- second item",
  "",
  "| Name | Size |",
  "| --- | --- |",
  "| alpha | 1 |",
  "| beta | 2 |",
  "",
  "```python",
  `def hello(name):\n    return f"Hello, {name}! " + "${"x".repeat(150)}"`,
  "```",
].join("\n");

const HOSTILE = [
  'Before <img src=x onerror="window.__pwned=1"> after',
  "",
  "<script>window.__pwned=2</script>",
  "",
  "[click me](javascript:window.__pwned=3) and [data](data:text/html,<script>window.__pwned=4</script>)",
  "",
  '<div onmouseover="window.__pwned=5"><a href="javascript:alert(1)">html link</a><iframe src="/tracker-frame"></iframe></div>',
  "",
  "![tracker](http://127.0.0.1:9/tracker.png) ![local](/tracker-local.png)",
  "",
  '<svg onload="window.__pwned=6"></svg><style>body{display:none}</style>',
].join("\n");

describe.skipIf(missing !== undefined)("the web page as a chat client", () => {
  let router: RunningRouter;
  let writer: LlamaSwapDouble;
  let writerHost: NodeHost;
  let browser: Browser;
  /** What the writer host answers to the next chat requests, in order; empty: the double's own "0 1 2". */
  const script: (() => Response)[] = [];
  const contexts: BrowserContext[] = [];
  let seen: { requests: string[]; problems: string[] };

  beforeAll(async () => {
    writer = llamaSwapDouble({
      name: "writer",
      models: [
        { id: "writer", status: "loaded", context_length: 8192 },
        { id: "nomic-embed", status: "loaded" },
      ],
      respond: (request) =>
        request.method === "POST" && new URL(request.url).pathname === "/v1/chat/completions" ? script.shift()?.() : undefined,
    });
    writerHost = await serveNode(writer.handle);
    router = await startRouter({
      registry: { providers: [{ id: "writer-box", label: "Writer box", kind: "llama-swap", baseUrl: writerHost.url }] },
    });
    browser = await launchBrowser();
    await mkdir(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await router?.stop();
    await writerHost?.stop();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    script.length = 0;
    // Everything the page loaded came from the router; nothing broke in the page or against its CSP.
    expect(seen.requests.filter((url) => !url.startsWith(`${router.url}/`))).toEqual([]);
    expect(seen.problems).toEqual([]);
  });

  async function openPage(viewport = PHONE): Promise<Page> {
    const context = await browser.newContext({ viewport, isMobile: viewport === PHONE, hasTouch: viewport === PHONE });
    contexts.push(context);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    seen ??= { requests: [], problems: [] };
    page.on("request", (request) => void seen.requests.push(request.url()));
    page.on("pageerror", (error) => void seen.problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => void seen.problems.push(`dialog: ${dialog.message()}`));
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) seen.problems.push(message.text());
    });
    await page.goto(`${router.url}/`);
    await page.locator("#key").fill(router.keys.alice!);
    await page.keyboard.press("Enter");
    await page.locator("#favorites-title").waitFor();
    return page;
  }

  const chatRequests = () =>
    writer.requests
      .filter((r) => r.path === "/v1/chat/completions")
      .map((r) => JSON.parse(r.body) as { messages: { role: string; content: string }[]; temperature?: number; max_tokens?: number });
  const lastReply = (page: Page) => page.locator("#messages .message.assistant").last();

  async function newChat(page: Page, model = "writer-box/writer"): Promise<void> {
    await page.locator(`section.provider li.model[data-id="${model}"] button.choose`).click();
    await page.locator("#prompt").waitFor();
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.locator("#prompt").fill(text);
    await page.keyboard.press("Enter");
    await page.locator("#send").waitFor();
  }

  /** The same state at phone and desktop width. */
  async function shoot(page: Page, name: string): Promise<void> {
    const before = page.viewportSize();
    for (const [label, size] of [
      ["phone", PHONE],
      ["desktop", DESKTOP],
    ] as const) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(SHOTS, `${label}-${name}.png`) });
    }
    if (before) await page.setViewportSize(before);
  }

  beforeEach(() => {
    seen = { requests: [], problems: [] };
  });

  it("renders a Markdown reply as elements: a heading, a list, a table, and a code block in monospace that scrolls and copies", async () => {
    const page = await openPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: router.url });
    await newChat(page);
    script.push(() =>
      sse(
        MARKDOWN.match(/[\s\S]{1,12}/g)!.map((content) => ({ content })),
        5,
      ),
    );
    await send(page, "Show me Markdown");
    const reply = lastReply(page);
    await reply.locator("pre code").waitFor();
    expect(await reply.locator("h2").textContent()).toBe("Plan");
    expect(await reply.locator("ul > li").allTextContents()).toEqual(["first item", "second item"]);
    expect(await reply.locator("table tbody tr").count()).toBe(2);
    expect(await reply.locator("strong").textContent()).toBe("bold");
    expect(await reply.locator("a").getAttribute("rel")).toBe("noopener noreferrer");
    const code = reply.locator("pre code");
    expect(await code.getAttribute("class")).toContain("hljs");
    const style = await code.evaluate((node) => ({
      font: getComputedStyle(node).fontFamily,
      overflow: getComputedStyle(node.parentElement!).overflowX,
      wide: node.parentElement!.scrollWidth > node.parentElement!.clientWidth,
    }));
    expect(style.font).toMatch(/mono/i);
    expect(style.overflow).toBe("auto");
    expect(style.wide).toBe(true);
    // The page itself never scrolls sideways; the code block does.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await reply.locator(".code-block button.copy").click();
    await reply.locator(".code-block button.copy", { hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('def hello(name):\n    return f"Hello, {name}! "');
    await shoot(page, "markdown");
  });

  it("a hostile reply runs nothing and fetches nothing: raw HTML is text, javascript: links and images are dropped", async () => {
    const page = await openPage(DESKTOP);
    await newChat(page);
    script.push(() => sse([{ content: HOSTILE.slice(0, 200) }, { content: HOSTILE.slice(200) }]));
    await send(page, "Attack");
    const reply = lastReply(page);
    await reply.locator(".content", { hasText: "after" }).waitFor();
    await page.mouse.move(400, 300);
    await reply.hover();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await reply.locator("img, script, iframe, svg, style, [onerror], [onload], [onmouseover]").count()).toBe(0);
    const hrefs = await reply.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    for (const href of hrefs) expect(href ?? "").toMatch(/^https?:\/\//);
    // Raw HTML shows as the characters the model wrote.
    expect(await reply.textContent()).toContain("<script>window.__pwned=2</script>");
    expect(seen.requests.filter((url) => /tracker|\/x$/.test(url))).toEqual([]);
    expect(await page.evaluate(() => document.body.checkVisibility())).toBe(true);
    await shoot(page, "hostile-reply");
  });

  it("a conversation made in one browser is in the list of a second one with the same key, and opens there", async () => {
    const phone = await openPage();
    await newChat(phone);
    const title = `Trip to Lisbon ${Date.now()}`;
    await send(phone, title);
    await lastReply(phone).locator(".content", { hasText: "0 1 2" }).waitFor();
    // On a phone the chats are in a drawer.
    expect(await phone.locator("#drawer").isVisible()).toBe(false);
    await phone.locator("#chat .open-drawer").click();
    await phone.locator("#conversations li.conversation", { hasText: title }).waitFor();
    await phone.waitForFunction(() => document.getElementById("drawer")!.getBoundingClientRect().left >= 0);
    await phone.screenshot({ path: join(SHOTS, "phone-drawer.png") });
    await phone.keyboard.press("Escape");
    await phone.locator("#drawer").waitFor({ state: "hidden" });
    // Saved on the router, not only in this browser.
    await expect
      .poll(async () => {
        const res = await fetch(`${router.url}/api/conversations`, { headers: { authorization: `Bearer ${router.keys.alice}` } });
        return ((await res.json()) as { data: { title: string }[] }).data.map((c) => c.title);
      })
      .toContain(title);

    const desktop = await openPage(DESKTOP);
    const entry = desktop.locator("#conversations li.conversation", { hasText: title });
    await entry.waitFor();
    await entry.locator("a.open-conversation").click();
    await desktop.locator("#messages .message.user .content", { hasText: title }).waitFor();
    expect((await lastReply(desktop).locator(".content").textContent())?.trim()).toBe("0 1 2");
    expect(await desktop.locator("#chat-title").textContent()).toBe(title);
    await shoot(desktop, "conversation-synced");
  });

  it("regenerate asks again with the same history; edit resends from the edited message, dropping what followed", async () => {
    const page = await openPage(DESKTOP);
    await newChat(page);
    await page.locator("#chat-settings summary").click();
    await page.locator("#system-prompt").fill("Answer in one line.");
    await page.locator("#temperature").fill("0.3");
    await page.locator("#max-tokens").fill("50");
    await send(page, "First question");
    await send(page, "Second question");
    await page.locator("#messages .message.assistant").nth(1).waitFor();
    const before = chatRequests().length;

    script.push(() => sse([{ content: "A better answer" }]));
    await lastReply(page).locator("button.regenerate").click();
    await lastReply(page).locator(".content", { hasText: "A better answer" }).waitFor();
    await page.locator("#send").waitFor();
    const regenerated = chatRequests()[before]!;
    expect(regenerated.messages).toEqual([
      { role: "system", content: "Answer in one line." },
      { role: "user", content: "First question" },
      { role: "assistant", content: "0 1 2 " },
      { role: "user", content: "Second question" },
    ]);
    expect(regenerated).toMatchObject({ temperature: 0.3, max_tokens: 50 });
    expect(await page.locator("#messages .message").count()).toBe(4);

    await page.locator("#messages .message.user").first().locator("button.edit").click();
    await page.locator(".edit-box").fill("First question, edited");
    await page.locator("button.save-edit").click();
    await page.locator("#messages .message.user .content", { hasText: "First question, edited" }).waitFor();
    await lastReply(page).locator(".content", { hasText: "0 1 2" }).waitFor();
    await page.locator("#send").waitFor();
    expect(chatRequests()[before + 1]!.messages).toEqual([
      { role: "system", content: "Answer in one line." },
      { role: "user", content: "First question, edited" },
    ]);
    expect(await page.locator("#messages .message").count()).toBe(2);
    await shoot(page, "regenerated-edited");
  });

  it("shows a reply that is only tool calls as a compact block, and an error with a Retry that works", async () => {
    const page = await openPage();
    await newChat(page);
    script.push(() =>
      sse([
        { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] },
        { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
        { tool_calls: [{ index: 0, function: { arguments: '"Lisbon"}' } }] },
      ]),
    );
    await send(page, "Weather?");
    const block = lastReply(page).locator(".tool-call");
    await block.waitFor();
    expect(await block.locator(".fn").textContent()).toBe("get_weather");
    expect(JSON.parse((await block.locator("pre").textContent())!)).toEqual({ city: "Lisbon" });
    await shoot(page, "tool-call");

    script.push(
      () =>
        new Response(JSON.stringify({ error: { message: "model crashed" } }), {
          status: 500,
          headers: { "content-type": "application/json" },
        }),
    );
    await send(page, "Try this");
    const error = page.locator("#messages .message.error").last();
    await error.waitFor();
    await shoot(page, "error-retry");
    const asked = chatRequests().length;
    await error.locator("button.retry").click();
    await lastReply(page).locator(".content", { hasText: "0 1 2" }).waitFor();
    expect(await page.locator("#messages .message.error").count()).toBe(0);
    expect(chatRequests()[asked]!.messages.at(-1)).toEqual({ role: "user", content: "Try this" });
  });

  it("keeps 2,000 streamed chunks smooth: only the new reply is drawn while it streams, never the history", async () => {
    const page = await openPage(DESKTOP);
    await newChat(page);
    await send(page, "Warm up");
    const words = Array.from({ length: 2000 }, (_, i) => ({ content: i % 100 === 99 ? `word${i}\n\n` : `word${i} ` }));
    script.push(() => sse(words, 2));
    await page.locator("#prompt").fill("Long one");
    await page.keyboard.press("Enter");
    await lastReply(page).locator(".content", { hasText: "word10 " }).waitFor();
    await page.evaluate(() => {
      (window as unknown as { first: Element | null }).first = document.querySelector("#messages .message.user");
    });
    // Mid-stream, the history above the reply is the same elements as before: it is never re-drawn per chunk.
    await lastReply(page).locator(".content", { hasText: "word800" }).waitFor({ timeout: 20_000 });
    expect(
      await page.evaluate(() => {
        const first = (window as unknown as { first: Element }).first;
        return first.isConnected && document.querySelector("#messages .message.user") === first;
      }),
    ).toBe(true);
    await lastReply(page).locator(".content", { hasText: "word1999" }).waitFor({ timeout: 20_000 });
    await page.locator("#send").waitFor();
    expect(await page.locator("#messages .message.assistant").last().locator("p").count()).toBe(20);
  });

  it("marks models that are not for chat and does not open them as chats", async () => {
    const page = await openPage();
    await page.route("**/api/picker", async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { sections: { models: { id: string; capabilities?: string[]; chat: boolean }[] }[] };
      for (const m of body.sections.flatMap((s) => s.models))
        if (m.id.endsWith("nomic-embed")) Object.assign(m, { capabilities: ["embedding"], chat: false });
      await route.fulfill({ response: res, json: body });
    });
    await page.locator("#refresh").click();
    const row = page.locator('section.provider li.model[data-id="writer-box/nomic-embed"]');
    await row.locator(".badge.kind", { hasText: "embedding" }).waitFor();
    expect(await row.locator("button.choose").isDisabled()).toBe(true);
    expect(await page.locator('section.provider li.model[data-id="writer-box/writer"] button.choose').isDisabled()).toBe(false);
    await shoot(page, "not-chat-models");
  });

  it("two panes from 900 px: models and chats on the left, the chat on the right; rename, delete with Undo, New chat keeps the old one", async () => {
    const page = await openPage(DESKTOP);
    await newChat(page);
    const title = `Desk chat ${Date.now()}`;
    await send(page, title);
    const side = await page.locator(".side").boundingBox();
    const chat = await page.locator("#chat").boundingBox();
    expect(side && chat && side.x + side.width <= chat.x + 1).toBe(true);
    expect(await page.locator("#picker").isVisible()).toBe(true);
    expect(await page.locator("#conversations").isVisible()).toBe(true);

    await page.locator("#new-chat").click();
    await page.locator("#messages .message").first().waitFor({ state: "detached" });
    const entry = page.locator("#conversations li.conversation", { hasText: title });
    await entry.waitFor();

    await entry.locator("button.rename").click();
    await page.locator(".rename-box").waitFor();
    // A sync that lands mid-edit redraws the list: the box and what was typed must stay.
    await page.locator(".rename-box").press("End");
    await page.locator(".rename-box").pressSequentially(" x");
    await page.evaluate(() => document.dispatchEvent(new CustomEvent("conversation-shown")));
    expect(await page.locator(".rename-box").inputValue()).toBe(`${title} x`);
    await page.locator(".rename-box").fill(`${title} renamed`);
    await page.keyboard.press("Enter");
    const renamed = page.locator("#conversations li.conversation", { hasText: `${title} renamed` });
    await renamed.waitFor();
    await renamed.locator("button.delete").click();
    await page.locator("#notice", { hasText: "Deleted" }).waitFor();
    await shoot(page, "deleted-undo");
    await renamed.waitFor({ state: "detached" });
    await page.locator("#notice-action", { hasText: "Undo" }).click();
    await renamed.waitFor();
    await expect
      .poll(async () => {
        const res = await fetch(`${router.url}/api/conversations`, { headers: { authorization: `Bearer ${router.keys.alice}` } });
        return ((await res.json()) as { data: { title: string }[] }).data.map((c) => c.title);
      })
      .toContain(`${title} renamed`);
    await shoot(page, "two-panes");
  });

  it("goes on from this browser's copy while the router is unreachable, and syncs when it is back", async () => {
    const page = await openPage(DESKTOP);
    await newChat(page);
    const title = `Offline ${Date.now()}`;
    await send(page, title);
    const entry = page.locator("#conversations li.conversation", { hasText: title });
    await entry.locator(".meta", { hasText: "not synced yet" }).waitFor({ state: "detached" });
    const stored = async () => {
      const res = await fetch(`${router.url}/api/conversations`, { headers: { authorization: `Bearer ${router.keys.alice}` } });
      return ((await res.json()) as { data: { title: string }[] }).data.map((c) => c.title);
    };

    // The router's conversation API cannot be reached: renaming still works here, marked as not synced.
    await page.route("**/api/conversations**", (route) => route.abort("internetdisconnected"));
    await entry.locator("button.rename").click();
    await page.locator(".rename-box").fill(`${title} on the train`);
    await page.keyboard.press("Enter");
    const renamed = page.locator("#conversations li.conversation", { hasText: `${title} on the train` });
    await renamed.locator(".meta", { hasText: "not synced yet" }).waitFor();
    await page.locator("#sync-state", { hasText: "offline copy" }).waitFor();
    await entry.locator("a.open-conversation").click();
    await page.locator("#messages .message.user .content", { hasText: title }).waitFor();
    await shoot(page, "offline-copy");
    expect(await stored()).not.toContain(`${title} on the train`);

    await page.unroute("**/api/conversations**");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await renamed.locator(".meta", { hasText: "not synced yet" }).waitFor({ state: "detached" });
    expect(await stored()).toContain(`${title} on the train`);
  });
});
