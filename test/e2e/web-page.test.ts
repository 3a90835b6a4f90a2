// The router's own web page in a real browser (Debian's chromium, offline), against the Worker under
// wrangler with llama-swap test hosts on 127.0.0.1: what a person on a phone or a desktop would see.
// Screenshots at phone and desktop width land in test-results/web-page/.
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { browserMissing, launchBrowser } from "./browser.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

const SHOTS = join(import.meta.dirname, "../../test-results/web-page");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const missing = browserMissing();

// In CI the browser is part of the setup (.ci/run installs it): its absence is a failure, not a skip.
it.runIf(missing !== undefined && process.env.CI)("has a browser to test the web page with", () => {
  throw new Error(missing);
});
if (missing && !process.env.CI) console.warn(`Skipping the web page tests: ${missing}`);

describe("the web page", () => {
  let router: RunningRouter;
  let sam: LlamaSwapDouble, long: LlamaSwapDouble;
  let samHost: NodeHost, longHost: NodeHost, coldHost: NodeHost, swapHost: NodeHost, flakyHost: NodeHost;
  let flakyRefuses = false;

  /** A port nothing listens on: a host that is switched off. */
  async function deadPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  beforeAll(async () => {
    sam = llamaSwapDouble({
      name: "sam",
      models: [
        { id: "qwen3-32b", status: "loaded", context_length: 32768 },
        { id: "Qwen/Qwen3-8B-GGUF", status: "unloaded" },
      ],
      chunks: 6,
      chunkGapMs: 150,
    });
    // Long enough that Stop is always pressed mid-stream.
    long = llamaSwapDouble({ name: "long", models: [{ id: "endless", status: "loaded" }], chunks: 600, chunkGapMs: 100 });
    const cold = llamaSwapDouble({ name: "cold", models: [{ id: "big-model", status: "unloaded" }], loadDelayMs: 3000, chunks: 3 });
    const swap = llamaSwapDouble({
      name: "swap",
      models: [{ id: "swapped", status: "unloaded" }],
      sendLoadingState: true,
      loadDelayMs: 2000,
      chunks: 3,
    });
    // While `flakyRefuses` is set, the host refuses the router's credentials (llama-swap's 401).
    const flaky = llamaSwapDouble({
      name: "flaky",
      models: [{ id: "tiny", status: "loaded" }],
      respond: (r) =>
        flakyRefuses && r.method === "POST"
          ? new Response("unauthorized", { status: 401, headers: { "www-authenticate": 'Basic realm="llama-swap"' } })
          : undefined,
    });
    samHost = await serveNode(sam.handle);
    longHost = await serveNode(long.handle);
    coldHost = await serveNode(cold.handle);
    swapHost = await serveNode(swap.handle);
    flakyHost = await serveNode(flaky.handle);
    router = await startRouter({
      registry: {
        defaultProvider: "sam-desktop",
        providers: [
          { id: "sam-desktop", label: "Sam's desktop", kind: "llama-swap", baseUrl: samHost.url },
          { id: "long", label: "Long streams", kind: "llama-swap", baseUrl: longHost.url },
          // The router starts its `: loading` notices after 300 ms instead of 5 s.
          { id: "cold", label: "Cold box", kind: "llama-swap", baseUrl: coldHost.url, timeouts: { loadingNoticeMs: 300 } },
          { id: "swap", label: "Swap box", kind: "llama-swap", baseUrl: swapHost.url },
          { id: "flaky", label: "Flaky box", kind: "llama-swap", baseUrl: flakyHost.url },
          { id: "offline", label: "Offline box", kind: "llama-swap", baseUrl: `http://127.0.0.1:${await deadPort()}` },
        ],
      },
    });
  });

  afterAll(async () => {
    await router?.stop();
    await Promise.all([samHost, longHost, coldHost, swapHost, flakyHost].map((host) => host?.stop()));
  });

  it("is served by the Worker with a strict Content-Security-Policy, and never shadows the API", async () => {
    const page = await fetch(`${router.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    expect((await fetch(`${router.url}/app.js`)).headers.get("content-type")).toContain("javascript");
    expect(await (await fetch(`${router.url}/healthz`)).json()).toEqual({ ok: true });
    const api = await fetch(`${router.url}/api/picker`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
    expect((await fetch(`${router.url}/v1/models`)).status).toBe(401);
  });

  describe.skipIf(missing !== undefined)("in a browser", () => {
    let browser: Browser;
    let context: BrowserContext | undefined;
    let seen: { requests: string[]; problems: string[] };

    beforeAll(async () => {
      browser = await launchBrowser();
      await mkdir(SHOTS, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
    });

    afterEach(async () => {
      await context?.close();
      context = undefined;
      // Everything the page loaded came from the router; nothing broke in the page or against its CSP.
      expect(seen.requests.filter((url) => !url.startsWith(`${router.url}/`))).toEqual([]);
      expect(seen.problems).toEqual([]);
    });

    async function openPage(viewport = PHONE): Promise<Page> {
      context = await browser.newContext({ viewport, isMobile: viewport === PHONE, hasTouch: viewport === PHONE });
      // Well under the test's own timeout, so a failure names the element that never showed up.
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      seen = { requests: [], problems: [] };
      page.on("request", (request) => void seen.requests.push(request.url()));
      page.on("pageerror", (error) => void seen.problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.text().includes("Content Security Policy")) seen.problems.push(message.text());
      });
      await page.goto(`${router.url}/`);
      return page;
    }

    async function signIn(page: Page): Promise<void> {
      await page.locator("#key").fill(router.keys.alice!);
      await page.keyboard.press("Enter");
      await page.locator("#favorites-title").waitFor();
    }

    const providerSection = (page: Page, id: string) => page.locator(`section.provider[data-provider="${id}"]`);
    const modelRow = (page: Page, section: string, id: string) =>
      page
        .locator(section === "favorites" ? "#favorites" : `section.provider[data-provider="${section}"]`)
        .locator(`li.model[data-id="${id}"]`);
    const lastReply = (page: Page) => page.locator("#messages .message.assistant .content").last();

    async function settings(): Promise<string[]> {
      const res = await fetch(`${router.url}/api/settings`, { headers: { authorization: `Bearer ${router.keys.alice}` } });
      return ((await res.json()) as { favorite_models: string[] }).favorite_models;
    }

    async function openChat(page: Page, provider: string, id: string): Promise<void> {
      await modelRow(page, provider, id).locator("button.choose").click();
      await page.locator("#prompt").waitFor();
    }

    async function sendMessage(page: Page, text: string): Promise<void> {
      await page.locator("#prompt").fill(text);
      await page.keyboard.press("Enter");
    }

    it("asks for a key on the first visit, explains a refused one, remembers a good one, and signs out", async () => {
      const page = await openPage();
      await page.locator("#key").waitFor();
      await page.screenshot({ path: join(SHOTS, "phone-sign-in.png") });
      await page.locator("#key").fill("le_000000000000_not-a-real-key");
      await page.keyboard.press("Enter");
      await page.locator("#sign-in-error", { hasText: "That key was refused" }).waitFor();

      await signIn(page);
      await page.reload();
      await page.locator("#favorites-title").waitFor();
      expect(await page.locator("#sign-in").isHidden()).toBe(true);

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.locator("#key").waitFor();
      expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("llama-edge.")))).toEqual([]);
      await page.reload();
      await page.locator("#key").waitFor();
    });

    it("lists Favorites first, then each provider with its label, status, models and context length", async () => {
      const page = await openPage();
      await signIn(page);
      await providerSection(page, "offline").waitFor();
      const headings = await page.locator("#sections h2").allTextContents();
      expect(headings).toEqual(["Favorites", "Sam's desktop", "Long streams", "Cold box", "Swap box", "Flaky box", "Offline box"]);
      expect(await providerSection(page, "sam-desktop").locator(".section-head .badge").textContent()).toBe("online");
      expect(await providerSection(page, "offline").locator(".section-head .badge").textContent()).toBe("unavailable");
      const qwen = modelRow(page, "sam-desktop", "sam-desktop/qwen3-32b");
      expect(await qwen.locator(".name").textContent()).toBe("qwen3-32b");
      expect(await qwen.locator(".meta").textContent()).toBe("loaded · 32,768 tokens context");
      expect(await modelRow(page, "sam-desktop", "sam-desktop/Qwen/Qwen3-8B-GGUF").locator(".meta").textContent()).toBe("unloaded");
      // A 390 px screen never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: join(SHOTS, "phone-picker.png"), fullPage: true });
    });

    it("stars a model from the keyboard: it shows under Favorites at once and after a reload, and hidden favorites are kept", async () => {
      // A favorite on a host that is off: hidden by the picker, and it must survive the page's PATCH.
      await fetch(`${router.url}/api/settings`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${router.keys.alice}`, "content-type": "application/json" },
        body: JSON.stringify({ favorite_models: ["offline/old-model"] }),
      });
      const page = await openPage();
      await signIn(page);
      const id = "sam-desktop/Qwen/Qwen3-8B-GGUF";
      expect(await page.locator("#favorites li.model").count()).toBe(0);

      const star = modelRow(page, "sam-desktop", id).locator("button.star");
      expect(await star.getAttribute("aria-pressed")).toBe("false");
      const saved = page.waitForResponse((r) => r.url().endsWith("/api/settings") && r.request().method() === "PATCH");
      await star.focus();
      await page.keyboard.press("Enter");
      await modelRow(page, "favorites", id).waitFor();
      expect((await saved).status()).toBe(200);
      expect(await settings()).toEqual(["offline/old-model", id]);

      await page.reload();
      await modelRow(page, "favorites", id).waitFor();
      // It stays in its provider's section too, marked.
      expect(await modelRow(page, "sam-desktop", id).locator("button.star").getAttribute("aria-pressed")).toBe("true");
      expect(await page.locator("#favorites li.model").count()).toBe(1);

      // Un-starring from the Favorites section removes it there, and only it.
      await modelRow(page, "favorites", id).locator("button.star").click();
      await page.locator("#favorites .empty").waitFor();
      await expect.poll(settings).toEqual(["offline/old-model"]);
    });

    it("rolls a star back with a visible message when saving it fails", async () => {
      const page = await openPage();
      await signIn(page);
      await page.route("**/api/settings", (route) =>
        route.request().method() === "PATCH"
          ? route.fulfill({
              status: 503,
              contentType: "application/json",
              body: JSON.stringify({ error: { message: "The settings store is busy.", type: "api_error", param: null, code: "busy" } }),
            })
          : route.continue(),
      );
      const before = await settings();
      const id = "sam-desktop/qwen3-32b";
      await modelRow(page, "sam-desktop", id).locator("button.star").click();
      await page.locator("#notice", { hasText: "Could not add qwen3-32b to favorites: The settings store is busy." }).waitFor();
      expect(await modelRow(page, "sam-desktop", id).locator("button.star").getAttribute("aria-pressed")).toBe("false");
      expect(await modelRow(page, "favorites", id).count()).toBe(0);
      expect(await settings()).toEqual(before);
    });

    it("streams a reply as it arrives and keeps the conversation in the browser", async () => {
      const page = await openPage();
      await signIn(page);
      await openChat(page, "sam-desktop", "sam-desktop/qwen3-32b");
      expect(await page.locator("#chat-title").textContent()).toBe("qwen3-32b");
      await sendMessage(page, "Hello there");
      // Part of the reply is on screen before the host has sent the rest.
      await page.waitForFunction(() => {
        const text = [...document.querySelectorAll("#messages .assistant .content")].at(-1)?.textContent ?? "";
        return text.startsWith("0 ") && !text.includes("5 ");
      });
      await page.locator("#messages .assistant .content", { hasText: "0 1 2 3 4 5" }).waitFor();
      await page.locator("#send").waitFor();
      const asked = JSON.parse(sam.requests.filter((r) => r.path === "/v1/chat/completions").at(-1)!.body) as {
        model: string;
        stream: boolean;
        messages: unknown[];
      };
      expect(asked).toMatchObject({ model: "qwen3-32b", stream: true, messages: [{ role: "user", content: "Hello there" }] });
      await page.screenshot({ path: join(SHOTS, "phone-chat.png") });

      await page.reload();
      await page.locator("#messages .user .content", { hasText: "Hello there" }).waitFor();
      expect((await lastReply(page).textContent())?.trim()).toBe("0 1 2 3 4 5");
      // The next message carries the conversation so far.
      await sendMessage(page, "And again");
      await page.locator("#messages .assistant").nth(1).locator(".content", { hasText: "0 1 2 3 4 5" }).waitFor();
      const next = JSON.parse(sam.requests.filter((r) => r.path === "/v1/chat/completions").at(-1)!.body) as {
        messages: { role: string }[];
      };
      expect(next.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    });

    it("Stop ends the reply mid-stream, and the host sees its connection closed", async () => {
      const page = await openPage();
      await signIn(page);
      await openChat(page, "long", "long/endless");
      await sendMessage(page, "Go on forever");
      await lastReply(page).filter({ hasText: "2 " }).waitFor();
      const stop = page.getByRole("button", { name: "Stop" });
      const stoppedAt = performance.now();
      await stop.click();
      const closed = await longHost.waitForEarlyClose((c) => c.path === "/v1/chat/completions");
      expect(closed.at - stoppedAt).toBeLessThan(2000);
      await page.locator("#messages .assistant .note", { hasText: "Stopped." }).waitFor();
      await page.locator("#send").waitFor();
      const text = await lastReply(page).textContent();
      expect(text?.endsWith("599 ")).toBe(false);
    });

    // Two ways a cold load shows up in a stream: the router's `: loading` comments while the host sends
    // nothing, and llama-swap's own progress text (`sendLoadingState`), which is not the model's thinking.
    it.each([
      { how: "the router's loading comments", provider: "cold", model: "big-model", label: "Cold box", shot: "phone-loading-model.png" },
      { how: "llama-swap's sendLoadingState", provider: "swap", model: "swapped", label: "Swap box", shot: undefined },
    ])("shows a visible loading-model state during a cold load ($how), then the reply", async ({ provider, model, label, shot }) => {
      const page = await openPage();
      await signIn(page);
      await openChat(page, provider, `${provider}/${model}`);
      expect(await page.locator("#chat-model").textContent()).toContain("unloaded");
      await sendMessage(page, "Wake up");
      const waitingSince = await page.locator("#chat-state").getAttribute("data-since");
      await page.locator("#chat-state", { hasText: `Loading model ${model} on ${label}` }).waitFor();
      // One timer from the moment of sending: "Loading model" does not start it again at 0.
      expect(await page.locator("#chat-state").getAttribute("data-since")).toBe(waitingSince);
      if (shot) await page.screenshot({ path: join(SHOTS, shot) });
      await lastReply(page).filter({ hasText: "0 1 2" }).waitFor();
      expect(await page.locator("#chat-state").isHidden()).toBe(true);
      // The header follows the model's state: it answered, so it is loaded now.
      expect(await page.locator("#chat-model").textContent()).toMatch(/· loaded/);
      expect(await page.locator("#messages details").count()).toBe(0);
      expect(await page.locator("#messages").textContent()).not.toContain("llama-swap loading model");
    });

    it("a host refusing the router's credentials is the operator's problem: the message shows, the user stays signed in", async () => {
      const page = await openPage();
      await signIn(page);
      await openChat(page, "flaky", "flaky/tiny");
      flakyRefuses = true;
      try {
        await sendMessage(page, "Hello?");
        await page.locator("#messages .message.error", { hasText: "refused the router's credentials" }).waitFor();
      } finally {
        flakyRefuses = false;
      }
      expect(await page.locator("#sign-in").isHidden()).toBe(true);
      expect(await page.evaluate(() => localStorage.getItem("llama-edge.key"))).not.toBeNull();
      await sendMessage(page, "And now?");
      await lastReply(page).filter({ hasText: "0 1 2" }).waitFor();
    });

    it("says in words when the model's host is down", async () => {
      const page = await openPage();
      await signIn(page);
      await openChat(page, "flaky", "flaky/tiny");
      await flakyHost.stop();
      await sendMessage(page, "Anyone there?");
      await page.locator("#messages .message.error", { hasText: "The provider 'flaky' could not be reached." }).waitFor();
      await page.locator("#send").waitFor();
    });

    it("fits a desktop window", async () => {
      const page = await openPage(DESKTOP);
      await signIn(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESKTOP.width);
      await page.screenshot({ path: join(SHOTS, "desktop-picker.png") });
      await openChat(page, "sam-desktop", "sam-desktop/qwen3-32b");
      await sendMessage(page, "Hello from a desktop");
      await lastReply(page).filter({ hasText: "0 1 2 3 4 5" }).waitFor();
      await page.locator("#send").waitFor();
      await page.screenshot({ path: join(SHOTS, "desktop-chat.png") });
    });
  });
});
