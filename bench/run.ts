// `npm run bench`: what llama-edge costs on the way to a host, side by side with a direct call and a
// bare pass-through Worker (the floor), under two local runtimes. See the README's Performance
// section. Writes bench/results.json; BENCH_QUICK=1 runs a short version (for trying the bench out).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { bodyGrowth, chatOfSize } from "./body-growth.ts";
import { cpuPerRequest } from "./cpu-cost.ts";
import { newAgent, type Target } from "./client.ts";
import { BENCH_MODEL, chatRequest } from "./host-replies.ts";
import { latency, repeatedGet, streaming, throughput } from "./measurements.ts";
import { poolRoutingCost } from "./pool-routing.ts";
import { startHosts, type HostUrls } from "./paced-host.ts";
import { portkeyHeaders, preparePortkey, type Prepared } from "./peers.ts";
import { markdown, verdicts, type PeerFigures, type RuntimeFigures, type Settings } from "./report.ts";
import { peakForOneRequest, transcriptionUpload } from "./request-memory.ts";
import { createKey, putRegistry, type RegistryInput } from "./router-admin.ts";
import { bundleWorker, compatibilityOf, startWorker, type RunningWorker, type RuntimeName, type WorkerSpec } from "./runtimes.ts";
import { median, round, summarize } from "./stats.ts";

const root = join(import.meta.dirname, "..");
const routerConfig = join(root, "wrangler.toml");
const floorConfig = join(root, "bench/floor.wrangler.toml");
const floorJsConfig = join(root, "bench/floor-js.wrangler.toml");
const outDir = join(root, "bench/out");
const quick = process.env.BENCH_QUICK === "1";
const RUNTIMES: RuntimeName[] = ["miniflare", "wrangler-dev"];

const settings: Settings = {
  pacing: { chunks: 20, gapMs: 10 },
  catalogMs: 1000,
  modelsPerHost: 8,
  // The router's limit is 600 a minute per key; a throughput run makes far more requests than that.
  rateLimitPerMinute: 1_000_000_000,
  latency: quick ? { warmup: 30, rounds: 3, perRound: 20 } : { warmup: 200, rounds: 15, perRound: 50 },
  throughput: quick ? { concurrency: 16, seconds: 2, rounds: 2 } : { concurrency: 16, seconds: 10, rounds: 4 },
  streaming: quick ? { rounds: 2, perRound: 2 } : { rounds: 8, perRound: 5 },
  bodyGrowth: quick ? { rounds: 2, perRound: 3 } : { rounds: 8, perRound: 10 },
  cpu: quick ? { rounds: 2, plain: 100, streams: 4 } : { rounds: 3, plain: 250, streams: 8 },
};
const catalogPlan = quick
  ? { deadWarm: 20, growthRounds: 2, growthWarmup: 5, growthPerRound: 10 }
  : { deadWarm: 100, growthRounds: 7, growthWarmup: 10, growthPerRound: 40 };

const started = performance.now();
const progress = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const benchProvider = (urls: HostUrls) => ({
  id: "bench",
  label: "Bench host",
  kind: "llama-swap" as const,
  baseUrl: urls.paced,
  timeouts: { catalogMs: settings.catalogMs },
});

/** 3 live hosts, one that refuses connections and one that never answers. */
function deadHostRegistry(urls: HostUrls): RegistryInput {
  const hosts = [...urls.catalog.slice(0, 3), urls.refused, urls.stalling];
  const names = ["live-0", "live-1", "live-2", "refused", "stalling"];
  return {
    providers: hosts.map((baseUrl, i) => ({
      id: `dead-${names[i]}`,
      label: `Bench ${names[i]}`,
      kind: "llama-swap",
      baseUrl,
      timeouts: { catalogMs: settings.catalogMs },
    })),
  };
}

function growthRegistry(urls: HostUrls, size: number): RegistryInput {
  return {
    providers: urls.catalog.slice(0, size).map((baseUrl, i) => ({
      id: `grow${size}-h${i}`,
      label: `Bench host ${i}`,
      kind: "llama-swap",
      baseUrl,
      timeouts: { catalogMs: settings.catalogMs },
    })),
  };
}

function targetsFor(urls: HostUrls, floor: RunningWorker, router: RunningWorker, key: string): Target[] {
  const headers = { authorization: `Bearer ${key}` };
  const bodies = (model: string) => ({ plain: chatRequest(model, false), stream: chatRequest(model, true) });
  const agent = () => newAgent(settings.throughput.concurrency);
  return [
    { name: "direct", origin: urls.paced, chat: bodies(BENCH_MODEL), headers, agent: agent() },
    { name: "floor", origin: floor.url, chat: bodies(BENCH_MODEL), headers, agent: agent() },
    { name: "router", origin: router.url, chat: bodies(`bench/${BENCH_MODEL}`), headers, agent: agent() },
  ];
}

/**
 * Room for the row "pool routing decision cost" (what choosing a host among a pool's members adds per
 * request), to be measured once pools exist: returns undefined, and the report then prints no row.
 */
async function measurePoolRoutingDecision(_runtime: RuntimeName): Promise<number | undefined> {
  return undefined;
}

/** Portkey's gateway beside the router, under wrangler dev only (see the reason when skipped). */
async function startPeer(
  runtime: RuntimeName,
  urls: HostUrls,
  stateDir: string,
): Promise<{ worker: RunningWorker; target: Target } | { skipped: string }> {
  if (!peer.ok) return { skipped: peer.reason };
  // Its bundle from `wrangler deploy --dry-run` fails to start under Miniflare's API (workerd reports an
  // internal error at startup); under wrangler dev it runs as its README says.
  if (runtime !== "wrangler-dev") return { skipped: "runs under wrangler dev only" };
  const worker = await startWorker(runtime, {
    name: "portkey",
    configPath: peer.configPath,
    scriptPath: "",
    compatibility: compatibilityOf(peer.configPath),
    stateDir,
  });
  const body = (stream: boolean) => chatRequest(BENCH_MODEL, stream);
  return {
    worker,
    target: {
      name: "portkey",
      origin: worker.url,
      chat: { plain: body(false), stream: body(true) },
      headers: portkeyHeaders(urls.paced),
      agent: newAgent(settings.throughput.concurrency),
    },
  };
}

async function measureRuntime(
  runtime: RuntimeName,
  urls: HostUrls,
  scripts: { router: string; floor: string; floorJs: string },
): Promise<RuntimeFigures> {
  const say = (line: string) => progress(`${runtime}: ${line}`);
  const compatibility = compatibilityOf(routerConfig);
  const adminToken = randomBytes(24).toString("base64url");
  const state = mkdtempSync(join(tmpdir(), "llama-edge-bench-"));
  const running: RunningWorker[] = [];
  try {
    const startFloor = async (name: string, configPath: string, scriptPath: string) => {
      const worker = await startWorker(runtime, {
        name,
        configPath,
        scriptPath,
        vars: { UPSTREAM: urls.paced },
        compatibility,
        stateDir: join(state, name),
      });
      running.push(worker);
      return worker;
    };
    const floor = await startFloor("floor", floorConfig, scripts.floor);
    // Only for the CPU rows: what passing a stream through JavaScript costs with no other work.
    const floorJs = await startFloor("floor-js", floorJsConfig, scripts.floorJs);
    const routerSpec = (name: string, adjust?: Partial<WorkerSpec>): WorkerSpec => ({
      name,
      configPath: routerConfig,
      scriptPath: scripts.router,
      secrets: { ADMIN_TOKEN: adminToken },
      rateLimit: settings.rateLimitPerMinute,
      compatibility,
      stateDir: join(state, name),
      ...adjust,
    });
    const router = await startWorker(runtime, routerSpec("router"));
    running.push(router);
    say(`floor on ${floor.url} (workerd ${floor.pids.join(",")}), router on ${router.url} (workerd ${router.pids.join(",")})`);
    await putRegistry(router.url, adminToken, { providers: [benchProvider(urls)] });
    const targets = targetsFor(urls, floor, router, await createKey(router.url, adminToken, "bench"));
    // Diagnostics: the same router without the parts that only the local runtime emulates expensively;
    // authentication, validation, registry lookup and logging stay on. Under wrangler dev only the one
    // without [assets], to compare with Portkey (on Cloudflare asset routing runs before the Worker).
    const diagnostics: Target[] = [];
    const workerPids: Record<string, number[]> = { floor: floor.pids, "floor-js": floorJs.pids, router: router.pids };
    const variants: [string, Partial<WorkerSpec>][] =
      runtime === "miniflare"
        ? DIAGNOSTICS
        : peer.ok
          ? [
              ["router-no-assets", { configPath: noAssetsConfig() }],
              ["router-no-assets-no-log", { configPath: noAssetsConfig(), vars: { REQUEST_LOG: "off" } }],
            ]
          : [];
    for (const [name, adjust] of variants) {
      const worker = await startWorker(runtime, routerSpec(name, adjust));
      running.push(worker);
      await putRegistry(worker.url, adminToken, { providers: [benchProvider(urls)] });
      const [, , target] = targetsFor(urls, floor, worker, await createKey(worker.url, adminToken, "bench"));
      diagnostics.push({ ...(target as Target), name });
      workerPids[name] = worker.pids;
    }
    const routerTarget = targets[2] as Target;
    const floorTarget = targets[1] as Target;
    const peerRun = await startPeer(runtime, urls, join(state, "portkey"));
    const peers: Target[] = [];
    if ("worker" in peerRun) {
      running.push(peerRun.worker);
      peers.push(peerRun.target);
      workerPids[peerRun.target.name] = peerRun.worker.pids;
      say(`Portkey's gateway on ${peerRun.worker.url}`);
    } else say(`Portkey's gateway skipped: ${peerRun.skipped}`);

    const lat = await latency([...targets, ...peers, ...diagnostics], settings.latency, say);
    const perRound = (name: string, r: number) =>
      (lat[name] as number[]).slice(r * settings.latency.perRound, (r + 1) * settings.latency.perRound);
    const rounds = Array.from({ length: settings.latency.rounds }, (_, r) =>
      round(median(perRound("router", r)) - median(perRound("floor", r))),
    );

    const thr = await throughput([...targets, ...peers, ...diagnostics], settings.throughput, (t) => workerPids[t.name] ?? [], say);
    const str = await streaming([...targets, ...peers, ...diagnostics], { ...settings.streaming, pacing: settings.pacing }, say);
    const floorJsTarget: Target = { ...(targets[1] as Target), name: "floor-js", origin: floorJs.url, agent: newAgent(1) };
    const cpuTargets = [
      targets[1] as Target,
      floorJsTarget,
      targets[2] as Target,
      ...diagnostics.filter((t) => t.name === "router-no-assets"),
      ...peers,
    ];
    const cpu = await cpuPerRequest(cpuTargets, (t) => workerPids[t.name] ?? [], settings.cpu, say);
    floorJsTarget.agent.destroy();
    const growth = await bodyGrowth(
      floorTarget,
      routerTarget,
      (t) => (t === routerTarget ? `bench/${BENCH_MODEL}` : BENCH_MODEL),
      settings.bodyGrowth,
      say,
    );
    say(`body growth: router − floor ${growth.slopeMsPerMiB} ms/MiB, JSON.parse ${growth.jsonParseMsPerMiB} ms/MiB`);
    // The same without the local [assets] layer in front (it handles every byte of the body too).
    const bare = diagnostics.find((t) => t.name === "router-no-assets");
    const growthNoAssets = bare
      ? await bodyGrowth(floorTarget, bare, (t) => (t === bare ? `bench/${BENCH_MODEL}` : BENCH_MODEL), settings.bodyGrowth, say)
      : undefined;
    if (growthNoAssets) say(`body growth without [assets]: router − floor ${growthNoAssets.slopeMsPerMiB} ms/MiB`);
    const peerFigures = ((): PeerFigures => {
      if (!("worker" in peerRun)) return { skipped: peerRun.skipped };
      const l = summarize(lat.portkey as number[]);
      const rounds = Array.from({ length: settings.latency.rounds }, (_, r) =>
        round(median(perRound("portkey", r)) - median(perRound("floor", r))),
      );
      const own = (name: string) =>
        median(Array.from({ length: settings.latency.rounds }, (_, r) => median(perRound(name, r)) - median(perRound("floor", r))));
      const ownRouter = own("router");
      const ownPeer = median(rounds);
      const noAssets = lat["router-no-assets"]
        ? { routerNoAssetsOwnMs: round(own("router-no-assets")), routerNoAssetsOwnToPeerOwn: round(own("router-no-assets") / ownPeer) }
        : {};
      const x = str.portkey as (typeof str)[string];
      return {
        name: "Portkey gateway 1.15.2 (no auth, no rate limit)",
        latency: l,
        minusFloorMs: round(ownPeer),
        minusFloorPerRoundMs: rounds,
        routerOwnToPeerOwn: round(ownRouter / ownPeer),
        rps: (thr.portkey as { rps: number }).rps,
        ttfbMedianMs: summarize(x.ttfb).median,
        ...noAssets,
      };
    })();

    await putRegistry(router.url, adminToken, deadHostRegistry(urls));
    const [firstMs] = await repeatedGet(routerTarget, "/v1/models", 1);
    const deadWarm = await repeatedGet(routerTarget, "/v1/models", catalogPlan.deadWarm);
    say(`/v1/models with a refused and a stalling host: first ${firstMs?.toFixed(0)} ms, warm median ${median(deadWarm).toFixed(2)} ms`);

    const catalog: Record<number, number[]> = { 1: [], 5: [], 20: [] };
    for (let r = 0; r < catalogPlan.growthRounds; r++) {
      for (let i = 0; i < 3; i++) {
        const size = [1, 5, 20][(i + r) % 3] as number;
        await putRegistry(router.url, adminToken, growthRegistry(urls, size));
        await repeatedGet(routerTarget, "/v1/models", catalogPlan.growthWarmup);
        catalog[size]?.push(...(await repeatedGet(routerTarget, "/v1/models", catalogPlan.growthPerRound)));
      }
      say(`/v1/models with 1, 5 and 20 hosts: round ${r + 1}/${catalogPlan.growthRounds} done`);
    }
    for (const target of [...targets, ...peers, ...diagnostics]) target.agent.destroy();

    const s = (name: "direct" | "floor" | "router") => summarize(lat[name] as number[]);
    const streamed = (name: "direct" | "floor" | "router") => {
      const x = str[name] as (typeof str)[string];
      return { ttfb: summarize(x.ttfb), gaps: summarize(x.gaps), streams: x.streams, identical: x.identical };
    };
    const latencyFigures = { direct: s("direct"), floor: s("floor"), router: s("router") };
    const streamingFigures = { direct: streamed("direct"), floor: streamed("floor"), router: streamed("router") };
    const throughputFigures = {
      direct: thr.direct as RuntimeFigures["throughput"]["direct"],
      floor: thr.floor as RuntimeFigures["throughput"]["floor"],
      router: thr.router as RuntimeFigures["throughput"]["router"],
    };
    const g = {
      hosts1: summarize(catalog[1] as number[]),
      hosts5: summarize(catalog[5] as number[]),
      hosts20: summarize(catalog[20] as number[]),
    };
    const poolRoutingMs = await measurePoolRoutingDecision(runtime);
    const logLines = router.logLines();
    return {
      latency: {
        ...latencyFigures,
        routerMinusFloorMs: round(latencyFigures.router.median - latencyFigures.floor.median),
        routerMinusDirectMs: round(latencyFigures.router.median - latencyFigures.direct.median),
        routerMinusFloorPerRoundMs: rounds,
      },
      throughput: { ...throughputFigures, routerToFloor: round(throughputFigures.router.rps / throughputFigures.floor.rps) },
      underLoad: Object.fromEntries(Object.entries(thr).flatMap(([name, t]) => (t.underLoad ? [[name, t.underLoad]] : []))),
      streaming: {
        ...streamingFigures,
        routerTtfbMinusFloorMs: round(streamingFigures.router.ttfb.median - streamingFigures.floor.ttfb.median),
      },
      catalogWithDeadHosts: { firstMs: round(firstMs ?? Number.NaN), warm: summarize(deadWarm) },
      catalogGrowth: { ...g, ratio20to1: round(g.hosts20.median / g.hosts1.median) },
      // Own cost from round medians (the method), beside the overall medians above.
      routerOwnMedianOfRoundsMs: round(median(rounds)),
      peer: peerFigures,
      cpu,
      bodyGrowth: growth,
      ...(growthNoAssets ? { bodyGrowthNoAssets: growthNoAssets } : {}),
      ...(runtime === "miniflare" ? { requestMemory: await requestMemory(urls, scripts, adminToken, compatibility, state, say) } : {}),
      ...(poolRoutingMs !== undefined ? { poolRoutingDecisionMs: poolRoutingMs } : {}),
      ...(logLines !== undefined ? { routerLogLines: logLines } : {}),
      ...(diagnostics.length
        ? {
            diagnostics: Object.fromEntries(
              diagnostics.map((t) => {
                const l = summarize(lat[t.name] as number[]);
                const rps = (thr[t.name] as { rps: number }).rps;
                const ttfb = summarize((str[t.name] as (typeof str)[string]).ttfb);
                return [
                  t.name,
                  {
                    latency: l,
                    minusFloorMs: round(l.median - latencyFigures.floor.median),
                    rps,
                    toFloor: round(rps / throughputFigures.floor.rps),
                    ttfb,
                    ttfbMinusFloorMs: round(ttfb.median - streamingFigures.floor.ttfb.median),
                  },
                ];
              }),
            ),
          }
        : {}),
    };
  } finally {
    for (const worker of running.reverse()) await worker.stop().catch(() => {});
    rmSync(state, { recursive: true, force: true });
  }
}

/** The router's wrangler.toml without its [assets] section (for wrangler dev, which reads a config file). */
function noAssetsConfig(): string {
  const text = readFileSync(routerConfig, "utf8")
    .replace(/^\[assets\][\s\S]*?(?=^\[|(?![\s\S]))/m, "")
    .replace(/^main = "(.*)"$/m, (_, main: string) => `main = ${JSON.stringify(join(root, main))}`);
  const path = join(outDir, "wrangler.no-assets.toml");
  writeFileSync(path, text);
  return path;
}

/**
 * Peak memory of one 3.5 MiB chat request, floor and router, each in a fresh Miniflare runtime, after a
 * warm-up of small requests only ("cold") and after one that includes long bodies ("warm"; see
 * request-memory.ts); and of one 25 MiB multipart upload to /v1/audio/transcriptions (router without [assets]).
 */
async function requestMemory(
  urls: HostUrls,
  scripts: { router: string; floor: string },
  adminToken: string,
  compatibility: WorkerSpec["compatibility"],
  state: string,
  say: (line: string) => void,
): Promise<RuntimeFigures["requestMemory"]> {
  const bytes = 3.5 * 1024 * 1024;
  const uploadBytes = 25 * 1024 * 1024;
  type Kind = "floor" | "router" | "router-no-assets";
  type Request = "chat-cold" | "chat-warm" | "upload";
  let runs = 0;
  const peak = async (name: Kind, request: Request): Promise<number | undefined> => {
    const dir = join(state, `${name}-memory-${runs++}`);
    const worker =
      name === "floor"
        ? await startWorker("miniflare", {
            name: "floor-memory",
            configPath: floorConfig,
            scriptPath: scripts.floor,
            vars: { UPSTREAM: urls.paced },
            compatibility,
            stateDir: dir,
          })
        : await startWorker("miniflare", {
            name: `${name}-memory`,
            configPath: routerConfig,
            scriptPath: scripts.router,
            secrets: { ADMIN_TOKEN: adminToken },
            rateLimit: settings.rateLimitPerMinute,
            compatibility,
            stateDir: dir,
            ...(name === "router-no-assets" ? { adjust: (o: Record<string, unknown>) => void delete o.assets } : {}),
          });
    try {
      let headers = {};
      if (name !== "floor") {
        await putRegistry(worker.url, adminToken, { providers: [benchProvider(urls)] });
        headers = { authorization: `Bearer ${await createKey(worker.url, adminToken, "bench")}` };
      }
      const model = name !== "floor" ? `bench/${BENCH_MODEL}` : BENCH_MODEL;
      const target: Target = {
        name,
        origin: worker.url,
        chat: { plain: chatRequest(model, false), stream: chatRequest(model, true) },
        headers,
        agent: newAgent(1),
      };
      const warmBodies = request === "chat-warm" ? Array.from({ length: 3 }, () => chatOfSize(model, 256 * 1024)) : [];
      const upload = request === "upload" ? transcriptionUpload(model, uploadBytes) : undefined;
      const rise = await peakForOneRequest(
        target,
        worker.pids,
        upload
          ? { path: "/v1/audio/transcriptions", body: upload.body, headers: { "content-type": upload.contentType } }
          : { path: "/v1/chat/completions", body: chatOfSize(model, bytes) },
        30,
        warmBodies,
      );
      target.agent.destroy();
      return rise;
    } finally {
      await worker.stop().catch(() => {});
    }
  };
  const must = (v: number | undefined) => v ?? Number.NaN;
  const floorBytes = must(await peak("floor", "chat-cold"));
  const routerBytes = must(await peak("router", "chat-cold"));
  const noAssetsBytes = must(await peak("router-no-assets", "chat-cold"));
  const floorWarm = must(await peak("floor", "chat-warm"));
  const routerWarm = must(await peak("router", "chat-warm"));
  const noAssetsWarm = must(await peak("router-no-assets", "chat-warm"));
  const m = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  say(
    `one 3.5 MiB request, peak RSS rise cold / warm: floor ${m(floorBytes)} / ${m(floorWarm)}, router ${m(routerBytes)} / ${m(routerWarm)}, without [assets] ${m(noAssetsBytes)} / ${m(noAssetsWarm)}`,
  );
  // The router answers 404 until the transcription route is wired (then the row fills in by itself).
  const uploadRouter = await peak("router-no-assets", "upload");
  const upload = uploadRouter === undefined ? { skipped: "route not wired (the router answers 404)" } : undefined;
  const uploadFloor = upload ? undefined : await peak("floor", "upload");
  say(
    upload ? `25 MiB upload: skipped, ${upload.skipped}` : `25 MiB upload: floor ${m(must(uploadFloor))}, router ${m(must(uploadRouter))}`,
  );
  return {
    bodyBytes: bytes,
    floorPeakRiseBytes: floorBytes,
    routerPeakRiseBytes: routerBytes,
    routerToBody: round(routerBytes / bytes),
    routerMinusFloorToBody: round((routerBytes - floorBytes) / bytes),
    routerNoAssetsPeakRiseBytes: noAssetsBytes,
    routerNoAssetsToBody: round(noAssetsBytes / bytes),
    warm: {
      floorPeakRiseBytes: floorWarm,
      routerPeakRiseBytes: routerWarm,
      routerToBody: round(routerWarm / bytes),
      routerNoAssetsPeakRiseBytes: noAssetsWarm,
      routerNoAssetsToBody: round(noAssetsWarm / bytes),
    },
    upload: upload ?? {
      bodyBytes: uploadBytes,
      floorPeakRiseBytes: must(uploadFloor),
      routerPeakRiseBytes: must(uploadRouter),
      routerToBody: round(must(uploadRouter) / uploadBytes),
    },
  };
}

mkdirSync(outDir, { recursive: true });
progress("bundling the router and the floor (wrangler deploy --dry-run --outdir bench/out/...)");
const [routerBundle, floorBundle, floorJsBundle] = await Promise.all([
  bundleWorker(routerConfig, join(outDir, "router")),
  bundleWorker(floorConfig, join(outDir, "floor")),
  bundleWorker(floorJsConfig, join(outDir, "floor-js")),
]);
progress(`router bundle ${(routerBundle.bytes / 1024).toFixed(1)} KiB, ${(routerBundle.gzipBytes / 1024).toFixed(1)} KiB gzipped`);
const peer: Prepared = await preparePortkey(progress);
if (!peer.ok) progress(`Portkey's gateway will be skipped: ${peer.reason}`);
const hosts = await startHosts({ pacing: settings.pacing, catalogHosts: 20, modelsPerHost: settings.modelsPerHost });
progress(
  `test hosts up: paced ${hosts.urls.paced}, ${hosts.urls.catalog.length} catalog hosts, stalling ${hosts.urls.stalling}, refused ${hosts.urls.refused}`,
);

/** Router variants measured beside the router under Miniflare, to show where its cost goes. */
const DIAGNOSTICS: [string, Partial<WorkerSpec>][] = [
  ["router-no-assets", { adjust: (o) => void delete o.assets }],
  ["router-no-assets-no-ratelimiter", { adjust: (o) => void delete o.assets, rateLimit: "unbound" }],
  // What the log line itself costs here (REQUEST_LOG=off; the judged router always writes it).
  ["router-no-assets-no-log", { adjust: (o) => void delete o.assets, vars: { REQUEST_LOG: "off" } }],
];

const runtimes: Record<string, RuntimeFigures> = {};
try {
  for (const runtime of RUNTIMES)
    runtimes[runtime] = await measureRuntime(runtime, hosts.urls, {
      router: routerBundle.scriptPath,
      floor: floorBundle.scriptPath,
      floorJs: floorJsBundle.scriptPath,
    });
} finally {
  await hosts.stop();
}

const verdictList = verdicts(runtimes, settings, routerBundle.gzipBytes);
const table = markdown(runtimes, settings, routerBundle.gzipBytes, verdictList);
const cpu = cpus();
const results = {
  generatedAt: new Date().toISOString(),
  quick,
  machine: {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? "unknown",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  settings,
  bundle: { bytes: routerBundle.bytes, gzipBytes: routerBundle.gzipBytes },
  runtimes,
  targets: verdictList,
  // Issue 15: the pool's routing decision per request, beside the member's own id.
  poolRouting: poolRoutingCost(),
};
writeFileSync(join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, "table.md"), `${table}\n`);
process.stdout.write(
  `\n${table}\n\nWritten: bench/results.json (and the table in bench/out/table.md), in ${((performance.now() - started) / 1000).toFixed(0)} s.\n`,
);
