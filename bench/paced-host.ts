// The test hosts, in a worker thread of their own so that the client's work never delays them:
// - the paced host: a llama-swap stand-in that answers chat with a fixed small completion, or with
//   SSE events written `gapMs` apart on a fixed schedule, and lists one model;
// - catalog hosts that only list models (for `/v1/models` with 1, 5 and 20 hosts);
// - a stalling host (accepts connections, never answers) and a refused port (nothing listens).
// Everything listens on 127.0.0.1 only.
import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { BENCH_MODEL, COMPLETION, modelList, sseEvents, TRANSCRIPTION, type Pacing } from "./host-replies.ts";

export interface HostOptions {
  pacing: Pacing;
  catalogHosts: number;
  modelsPerHost: number;
}

export interface HostUrls {
  paced: string;
  catalog: string[];
  stalling: string;
  refused: string;
}

export interface RunningHosts {
  urls: HostUrls;
  stop(): Promise<void>;
}

const ROLE = "llama-edge-bench-hosts";

/** Starts every test host in a worker thread and resolves with their addresses. */
export async function startHosts(options: HostOptions): Promise<RunningHosts> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: ROLE, options } });
  const [urls] = (await Promise.race([once(worker, "message"), once(worker, "error").then(([e]) => Promise.reject(e))])) as [HostUrls];
  return {
    urls,
    async stop() {
      worker.postMessage("stop");
      await Promise.race([once(worker, "exit"), new Promise((resolve) => setTimeout(resolve, 3000))]);
      await worker.terminate();
    },
  };
}

function reply(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": body.byteLength });
  res.end(body);
}

function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const parts: Buffer[] = [];
  req.on("data", (part: Buffer) => parts.push(part));
  req.on("end", () => done(Buffer.concat(parts)));
}

function paced(res: ServerResponse, events: readonly Buffer[], gapMs: number): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const started = performance.now();
  let sent = 0;
  const next = () => {
    if (res.destroyed) return;
    res.write(events[sent]);
    sent++;
    if (sent === events.length) return void res.end();
    setTimeout(next, Math.max(0, started + sent * gapMs - performance.now()));
  };
  next();
}

async function listen(server: HttpServer | NetServer): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function serve(options: HostOptions): Promise<{ urls: HostUrls; close(): void }> {
  const events = sseEvents(options.pacing.chunks);
  const ownList = modelList([BENCH_MODEL]);
  const servers: (HttpServer | NetServer)[] = [];
  const sockets = new Set<Socket>();
  const track = <S extends HttpServer | NetServer>(server: S): S => {
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    servers.push(server);
    return server;
  };

  const pacedHost = track(
    createHttpServer((req, res) =>
      readBody(req, (body) => {
        if (req.method === "GET" && req.url === "/v1/models") return reply(res, 200, ownList);
        // The upload row of the memory measurement (bench/request-memory.ts): the body is read and dropped.
        if (req.method === "POST" && req.url === "/v1/audio/transcriptions") return reply(res, 200, TRANSCRIPTION);
        if (req.method !== "POST" || req.url !== "/v1/chat/completions") return reply(res, 404, Buffer.from("{}"));
        const stream = (JSON.parse(body.toString("utf8")) as { stream?: unknown }).stream === true;
        if (stream) paced(res, events, options.pacing.gapMs);
        else reply(res, 200, COMPLETION);
      }),
    ),
  );
  const catalog: string[] = [];
  for (let h = 0; h < options.catalogHosts; h++) {
    const list = modelList(Array.from({ length: options.modelsPerHost }, (_, m) => `host${h}-model-${m}`));
    const server = track(
      createHttpServer((req, res) =>
        readBody(req, () => (req.url === "/v1/models" ? reply(res, 200, list) : reply(res, 404, Buffer.from("{}")))),
      ),
    );
    catalog.push(await listen(server));
  }
  // Accepts the connection and the request, and never answers.
  const stalling = track(createNetServer(() => {}));
  // A port that was free a moment ago: connecting to it is refused.
  const probe = createNetServer();
  const refused = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));

  const urls: HostUrls = { paced: await listen(pacedHost), catalog, stalling: await listen(stalling), refused };
  return {
    urls,
    close() {
      for (const socket of sockets) socket.destroy();
      for (const server of servers) server.close();
    },
  };
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE && parentPort) {
  const port = parentPort;
  const hosts = await serve((workerData as { options: HostOptions }).options);
  port.on("message", (message) => {
    if (message !== "stop") return;
    hosts.close();
    port.close();
  });
  port.postMessage(hosts.urls);
}
