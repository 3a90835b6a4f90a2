// Intercepts the Worker's outbound fetch inside workerd tests. The Worker runs in the test's isolate,
// so replacing globalThis.fetch reaches every request it makes. Each test registers the origins it
// expects; a request to any other origin fails the request AND is reported by `assertNoUnexpected()`,
// which `useOutbound()` calls after every test.
import { afterEach, beforeEach, expect } from "vitest";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface Outbound {
  /** Route requests for `origin` (e.g. "https://sam.example.net") to `handler`. */
  route(origin: string, handler: Handler): void;
  /** Every outbound request, in order, with its URL. */
  readonly requests: { url: string; method: string }[];
  readonly unexpected: string[];
  assertNoUnexpected(): void;
}

export function interceptOutbound(): { outbound: Outbound; restore(): void } {
  const original = globalThis.fetch;
  const routes = new Map<string, Handler>();
  const requests: { url: string; method: string }[] = [];
  const unexpected: string[] = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push({ url: request.url, method: request.method });
    const handler = routes.get(url.origin);
    if (!handler) {
      unexpected.push(`${request.method} ${request.url}`);
      throw new TypeError(`unexpected outbound request in test: ${request.method} ${request.url}`);
    }
    // Like the real fetch: an aborted request rejects, whatever the handler is doing.
    if (request.signal.aborted) throw request.signal.reason ?? new DOMException("aborted", "AbortError");
    return new Promise<Response>((resolve, reject) => {
      request.signal.addEventListener("abort", () => reject(request.signal.reason ?? new DOMException("aborted", "AbortError")), {
        once: true,
      });
      Promise.resolve(handler(request)).then(resolve, reject);
    });
  };
  const outbound: Outbound = {
    route: (origin, handler) => routes.set(new URL(origin).origin, handler),
    requests,
    unexpected,
    assertNoUnexpected: () => expect(unexpected, "unexpected outbound requests").toEqual([]),
  };
  return { outbound, restore: () => void (globalThis.fetch = original) };
}

let current: { outbound: Outbound; restore(): void } | undefined;

/**
 * Installs interception around every test: called once by the workers project's setup file
 * (test/setup/outbound-guard.ts), so no test can make an outbound request it did not route.
 */
export function installOutboundGuard(): void {
  beforeEach(() => {
    current = interceptOutbound();
  });
  afterEach(() => {
    const active = current;
    current = undefined;
    active?.restore();
    active?.outbound.assertNoUnexpected();
  });
}

/** The current test's interception, to route origins and read what was sent. */
export function useOutbound(): () => Outbound {
  return () => {
    if (!current) throw new Error("useOutbound() accessor used outside a test");
    return current.outbound;
  };
}
