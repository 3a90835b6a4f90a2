// The load generator's HTTP client: node:http with keep-alive sockets, the same for every target, so
// whatever it costs is the same on each side of a comparison. Times are performance.now() in ms.
import { Agent, request } from "node:http";

export interface Target {
  /** `direct`, `floor` or `router`. */
  name: string;
  /** Origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  /** The chat request's body for this target (the router's names the model `provider/model`). */
  chat: { plain: Buffer; stream: Buffer };
  headers: Record<string, string>;
  agent: Agent;
}

export interface Exchange {
  status: number;
  /** Until the first byte of the body. */
  ttfbMs: number;
  /** Until the body's last byte. */
  totalMs: number;
  body: Buffer;
  /** When each SSE event (ended by a blank line) was complete, when asked for. */
  eventTimes?: number[];
}

export const newAgent = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });

const BLANK_LINE = Buffer.from("\n\n");

/** Sends one request; rejects after `timeoutMs` (every exchange is bounded in time). */
export function exchange(
  target: Target,
  options: { method?: string; path: string; body?: Buffer; headers?: Record<string, string>; events?: boolean; timeoutMs?: number },
): Promise<Exchange> {
  const url = new URL(options.path, target.origin);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? (options.body ? "POST" : "GET"),
        agent: target.agent,
        headers: {
          ...target.headers,
          ...options.headers,
          ...(options.body
            ? { "content-type": options.headers?.["content-type"] ?? "application/json", "content-length": String(options.body.byteLength) }
            : {}),
        },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        const eventTimes: number[] | undefined = options.events ? [] : undefined;
        let ttfb = -1;
        let tail = Buffer.alloc(0);
        res.on("data", (part: Buffer) => {
          const now = performance.now();
          if (ttfb < 0) ttfb = now - started;
          parts.push(part);
          if (eventTimes) {
            // Blank lines may straddle two reads: look at the last byte of the previous read too.
            const window = Buffer.concat([tail, part]);
            for (let at = window.indexOf(BLANK_LINE); at >= 0; at = window.indexOf(BLANK_LINE, at + 2)) eventTimes.push(now);
            tail = window.subarray(window.length - 1);
          }
        });
        res.on("end", () => {
          const totalMs = performance.now() - started;
          resolve({
            status: res.statusCode ?? 0,
            ttfbMs: ttfb < 0 ? totalMs : ttfb,
            totalMs,
            body: Buffer.concat(parts),
            ...(eventTimes ? { eventTimes } : {}),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${target.name}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end(options.body);
  });
}
