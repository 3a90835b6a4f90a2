// Serves a web-standard handler (such as a llama-swap double's `handle`) on 127.0.0.1 with node:http,
// for end-to-end tests where the Worker runs under wrangler and reaches hosts over real sockets.
// Responses are written chunk by chunk as the handler's body yields them (no buffering), and the host
// records when each client connection closed, so abort tests can measure how fast the router let go.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ClosedRequest {
  method: string;
  path: string;
  /** performance.now() when the router's connection went away. */
  at: number;
  /** The response had not been completely written: the router hung up first. */
  early: boolean;
}

export interface NodeHost {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  readonly closed: ClosedRequest[];
  /** Resolves when a request matching `predicate` has been cut off by the other side. */
  waitForEarlyClose(predicate?: (c: ClosedRequest) => boolean): Promise<ClosedRequest>;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function serveNode(handler: (request: Request) => Promise<Response>): Promise<NodeHost> {
  const closed: ClosedRequest[] = [];
  const waiters: { predicate: (c: ClosedRequest) => boolean; resolve: (c: ClosedRequest) => void }[] = [];
  const sockets = new Set<Socket>();

  const onClose = (entry: ClosedRequest) => {
    closed.push(entry);
    for (const waiter of [...waiters]) {
      if (entry.early && waiter.predicate(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  };

  async function serve(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
    const aborter = new AbortController();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    res.on("close", () => {
      const early = !res.writableFinished;
      if (early) aborter.abort(new Error("client closed the connection"));
      onClose({ method: req.method ?? "GET", path, at: performance.now(), early });
    });
    const body = await readBody(req);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(origin + (req.url ?? "/"), {
      method: req.method,
      headers,
      body: hasBody ? new Uint8Array(body) : undefined,
      signal: aborter.signal,
    });
    const response = await handler(request);
    if (aborter.signal.aborted) return void response.body?.cancel().catch(() => {});
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.flushHeaders();
    if (!response.body) return void res.end();
    const reader = response.body.getReader();
    aborter.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || aborter.signal.aborted) break;
        res.write(value);
      }
    } finally {
      if (!aborter.signal.aborted) res.end();
    }
  }

  const server = createServer();
  let origin = "";
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("request", (req, res) => {
    serve(req, res, origin).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`test host failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    closed,
    waitForEarlyClose(predicate = () => true) {
      const seen = closed.find((c) => c.early && predicate(c));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
