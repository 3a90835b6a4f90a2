// `npm run bench`: what llama-edge costs on the way to a host, side by side with a direct call and a
// bare pass-through Worker (the floor), under two local runtimes. See the README's Performance
// section. Writes bench/results.json; BENCH_QUICK=1 runs a short version (for trying the bench out).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { newAgent, type Target } from "./client.ts";
import { BENCH_MODEL, chatRequest } from "./host-replies.ts";
import { latency, repeatedGet, streaming, throughput } from "./measurements.ts";
import { poolRoutingCost } from "./pool-routing.ts";
import { startHosts, type HostUrls } from "./paced-host.ts";
import { markdown, verdicts, type RuntimeFigures, type Settings } from "./report.ts";
import { createKey, putRegistry, type RegistryInput } from "./router-admin.ts";
import { bundleWorker, compatibilityOf, startWorker, type RunningWorker, type RuntimeName, type WorkerSpec } from "./runtimes.ts";
import { median, round, summarize } from "./stats.ts";

const root = join(import.meta.dirname, "..");
const routerConfig = join(root, "wrangler.toml");
const floorConfig = join(root, "bench/floor.wrangler.toml");
const outDir = join(root, "bench/out");
const quick = process.env.BENCH_QUICK === "1";
const RUNTIMES: RuntimeName[] = ["miniflare", "wrangler-dev"];

const settings: Settings = {
  pacing: { chunks: 20, gapMs: 10 },
  catalogMs: 1000,
  modelsPerHost: 8,
  // The router's limit is 600 a minute per key; a throughput run makes far more requests than that.
  rateLimitPerMinute: 1_000_000_000,
  latency: quick ? { warmup: 30, rounds: 3, perRound: 20 } : { warmup: 200, rounds: 9, perRound: 50 },
  throughput: quick ? { concurrency: 16, seconds: 2, rounds: 2 } : { concurrency: 16, seconds: 10, rounds: 4 },
  streaming: quick ? { rounds: 2, perRound: 2 } : { rounds: 5, perRound: 4 },
};
const catalogPlan = quick ? { deadWarm: 20, growthRounds: 2, growthWarmup: 5, growthPerRound: 10 } : { deadWarm: 100, growthRounds: 7, growthWarmup: 10, growthPerRound: 40 };

const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const benchProvider = (urls: HostUrls) => ({ id: "bench", label: "Bench host", kind: "llama-swap" as const, baseUrl: urls.paced, timeouts: { catalogMs: settings.catalogMs } });

/** 3 live hosts, one that refuses connections and one that never answers. */
function deadHostRegistry(urls: HostUrls): RegistryInput {
  const hosts = [...urls.catalog.slice(0, 3), urls.refused, urls.stalling];
  const names = ["live-0", "live-1", "live-2", "refused", "stalling"];
  return { providers: hosts.map((baseUrl, i) => ({ id: `dead-${names[i]}`, label: `Bench ${names[i]}`, kind: "llama-swap", baseUrl, timeouts: { catalogMs: settings.catalogMs } })) };
}

function growthRegistry(urls: HostUrls, size: number): RegistryInput {
  return { providers: urls.catalog.slice(0, size).map((baseUrl, i) => ({ id: `grow${size}-h${i}`, label: `Bench host ${i}`, kind: "llama-swap", baseUrl, timeouts: { catalogMs: settings.catalogMs } })) };
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

async function measureRuntime(runtime: RuntimeName, urls: HostUrls, scripts: { router: string; floor: string }): Promise<RuntimeFigures> {
  const say = (line: string) => progress(`${runtime}: ${line}`);
  const compatibility = compatibilityOf(routerConfig);
  const adminToken = randomBytes(24).toString("base64url");
  const state = mkdtempSync(join(tmpdir(), "llama-edge-bench-"));
  const running: RunningWorker[] = [];
  try {
    const floor = await startWorker(runtime, { name: "floor", configPath: floorConfig, scriptPath: scripts.floor, vars: { UPSTREAM: urls.paced }, compatibility, stateDir: join(state, "floor") });
    running.push(floor);
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
    // Diagnostics (Miniflare only): the same router without the parts that only the local runtime
    // emulates expensively; authentication, validation, registry lookup and logging stay on.
    const diagnostics: Target[] = [];
    if (runtime === "miniflare") {
      for (const [name, adjust] of DIAGNOSTICS) {
        const worker = await startWorker(runtime, routerSpec(name, adjust));
        running.push(worker);
        await putRegistry(worker.url, adminToken, { providers: [benchProvider(urls)] });
        const [, , target] = targetsFor(urls, floor, worker, await createKey(worker.url, adminToken, "bench"));
        diagnostics.push({ ...(target as Target), name });
      }
    }
    const routerTarget = targets[2] as Target;

    const lat = await latency([...targets, ...diagnostics], settings.latency, say);
    const perRound = (name: string, r: number) => (lat[name] as number[]).slice(r * settings.latency.perRound, (r + 1) * settings.latency.perRound);
    const rounds = Array.from({ length: settings.latency.rounds }, (_, r) => round(median(perRound("router", r)) - median(perRound("floor", r))));

    const pids: Record<string, number[]> = { direct: [], floor: floor.pids, router: router.pids };
    const thr = await throughput([...targets, ...diagnostics], settings.throughput, (t) => pids[t.name] ?? [], say);
    const str = await streaming(targets, { ...settings.streaming, pacing: settings.pacing }, say);

    await putRegistry(router.url, adminToken, deadHostRegistry(urls));
    const [firstMs] = await repeatedGet(routerTarget, "/v1/models", 1);
    const deadWarm = await repeatedGet(routerTarget, "/v1/models", catalogPlan.deadWarm);
    say(`/v1/models with a refused and a stalling host: first ${firstMs?.toFixed(0)} ms, warm median ${median(deadWarm).toFixed(2)} ms`);

    const growth: Record<number, number[]> = { 1: [], 5: [], 20: [] };
    for (let r = 0; r < catalogPlan.growthRounds; r++) {
      for (let i = 0; i < 3; i++) {
        const size = [1, 5, 20][(i + r) % 3] as number;
        await putRegistry(router.url, adminToken, growthRegistry(urls, size));
        await repeatedGet(routerTarget, "/v1/models", catalogPlan.growthWarmup);
        growth[size]?.push(...(await repeatedGet(routerTarget, "/v1/models", catalogPlan.growthPerRound)));
      }
      say(`/v1/models with 1, 5 and 20 hosts: round ${r + 1}/${catalogPlan.growthRounds} done`);
    }
    for (const target of [...targets, ...diagnostics]) target.agent.destroy();

    const s = (name: "direct" | "floor" | "router") => summarize(lat[name] as number[]);
    const streamed = (name: "direct" | "floor" | "router") => {
      const x = str[name] as (typeof str)[string];
      return { ttfb: summarize(x.ttfb), gaps: summarize(x.gaps), streams: x.streams, identical: x.identical };
    };
    const latencyFigures = { direct: s("direct"), floor: s("floor"), router: s("router") };
    const streamingFigures = { direct: streamed("direct"), floor: streamed("floor"), router: streamed("router") };
    const throughputFigures = { direct: thr.direct as RuntimeFigures["throughput"]["direct"], floor: thr.floor as RuntimeFigures["throughput"]["floor"], router: thr.router as RuntimeFigures["throughput"]["router"] };
    const g = { hosts1: summarize(growth[1] as number[]), hosts5: summarize(growth[5] as number[]), hosts20: summarize(growth[20] as number[]) };
    const logLines = router.logLines();
    return {
      latency: {
        ...latencyFigures,
        routerMinusFloorMs: round(latencyFigures.router.median - latencyFigures.floor.median),
        routerMinusDirectMs: round(latencyFigures.router.median - latencyFigures.direct.median),
        routerMinusFloorPerRoundMs: rounds,
      },
      throughput: { ...throughputFigures, routerToFloor: round(throughputFigures.router.rps / throughputFigures.floor.rps) },
      streaming: { ...streamingFigures, routerTtfbMinusFloorMs: round(streamingFigures.router.ttfb.median - streamingFigures.floor.ttfb.median) },
      catalogWithDeadHosts: { firstMs: round(firstMs ?? Number.NaN), warm: summarize(deadWarm) },
      catalogGrowth: { ...g, ratio20to1: round(g.hosts20.median / g.hosts1.median) },
      ...(logLines !== undefined ? { routerLogLines: logLines } : {}),
      ...(diagnostics.length
        ? {
            diagnostics: Object.fromEntries(
              diagnostics.map((t) => {
                const l = summarize(lat[t.name] as number[]);
                const rps = (thr[t.name] as { rps: number }).rps;
                return [t.name, { latency: l, minusFloorMs: round(l.median - latencyFigures.floor.median), rps, toFloor: round(rps / throughputFigures.floor.rps) }];
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

mkdirSync(outDir, { recursive: true });
progress("bundling the router and the floor (wrangler deploy --dry-run --outdir bench/out/...)");
const [routerBundle, floorBundle] = await Promise.all([bundleWorker(routerConfig, join(outDir, "router")), bundleWorker(floorConfig, join(outDir, "floor"))]);
progress(`router bundle ${(routerBundle.bytes / 1024).toFixed(1)} KiB, ${(routerBundle.gzipBytes / 1024).toFixed(1)} KiB gzipped`);
const hosts = await startHosts({ pacing: settings.pacing, catalogHosts: 20, modelsPerHost: settings.modelsPerHost });
progress(`test hosts up: paced ${hosts.urls.paced}, ${hosts.urls.catalog.length} catalog hosts, stalling ${hosts.urls.stalling}, refused ${hosts.urls.refused}`);

/** Router variants measured beside the router under Miniflare, to show where its cost goes. */
const DIAGNOSTICS: [string, Partial<WorkerSpec>][] = [
  ["router-no-assets", { adjust: (o) => void delete o.assets }],
  ["router-no-assets-no-ratelimiter", { adjust: (o) => void delete o.assets, rateLimit: "unbound" }],
];

const runtimes: Record<string, RuntimeFigures> = {};
try {
  for (const runtime of RUNTIMES) runtimes[runtime] = await measureRuntime(runtime, hosts.urls, { router: routerBundle.scriptPath, floor: floorBundle.scriptPath });
} finally {
  await hosts.stop();
}

const verdictList = verdicts(runtimes, settings, routerBundle.gzipBytes);
const table = markdown(runtimes, settings, routerBundle.gzipBytes, verdictList);
const cpu = cpus();
const results = {
  generatedAt: new Date().toISOString(),
  quick,
  machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? "unknown", node: process.version, platform: `${process.platform} ${process.arch}` },
  settings,
  bundle: { bytes: routerBundle.bytes, gzipBytes: routerBundle.gzipBytes },
  runtimes,
  targets: verdictList,
  // Issue 15: the pool's routing decision per request, beside the member's own id.
  poolRouting: poolRoutingCost(),
};
writeFileSync(join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, "table.md"), `${table}\n`);
process.stdout.write(`\n${table}\n\nWritten: bench/results.json (and the table in bench/out/table.md), in ${((performance.now() - started) / 1000).toFixed(0)} s.\n`);
