// Turns one run's figures into the targets' verdicts and a Markdown table (printed, and the one the
// README's Performance section shows).
import type { GrowthFigures } from "./body-growth.ts";
import type { CpuCost, CpuPlan } from "./cpu-cost.ts";
import type { UnderLoad } from "./measurements.ts";
import type { Summary } from "./stats.ts";

/** Portkey's gateway measured beside the router, or why it was not. */
export type PeerFigures =
  | {
      name: string;
      latency: Summary;
      minusFloorMs: number;
      minusFloorPerRoundMs: number[];
      routerOwnToPeerOwn: number;
      rps: number;
      ttfbMedianMs: number;
      routerNoAssetsOwnMs?: number;
      routerNoAssetsOwnToPeerOwn?: number;
    }
  | { skipped: string };

export interface RuntimeFigures {
  latency: Record<"direct" | "floor" | "router", Summary> & {
    routerMinusFloorMs: number;
    routerMinusDirectMs: number;
    routerMinusFloorPerRoundMs: number[];
  };
  throughput: Record<"direct" | "floor" | "router", { rps: number; ok: number; errors: number; seconds: number; peakRssBytes?: number }> & {
    routerToFloor: number;
  };
  streaming: Record<"direct" | "floor" | "router", { ttfb: Summary; gaps: Summary; streams: number; identical: number }> & {
    routerTtfbMinusFloorMs: number;
  };
  catalogWithDeadHosts: { firstMs: number; warm: Summary };
  catalogGrowth: { hosts1: Summary; hosts5: Summary; hosts20: Summary; ratio20to1: number };
  routerLogLines?: number;
  diagnostics?: Record<
    string,
    { latency: Summary; minusFloorMs: number; rps: number; toFloor: number; ttfb?: Summary; ttfbMinusFloorMs?: number }
  >;
  /** Median over rounds of (router median − floor median): the issue's "own cost". */
  routerOwnMedianOfRoundsMs: number;
  peer: PeerFigures;
  /** CPU per request of each target's own workerd processes (cpu-cost.ts), by target name. */
  cpu?: Record<string, CpuCost>;
  /**
   * During each target's throughput slices (measurements.ts): its workerd processes' CPU per request, the
   * busiest of them in cores (1 = one thread saturated), and the machine's busy share.
   */
  underLoad?: Record<string, UnderLoad>;
  bodyGrowth: GrowthFigures;
  /** The same through the router without the local [assets] layer. */
  bodyGrowthNoAssets?: GrowthFigures;
  requestMemory?: {
    bodyBytes: number;
    floorPeakRiseBytes: number;
    routerPeakRiseBytes: number;
    routerToBody: number;
    routerMinusFloorToBody: number;
    routerNoAssetsPeakRiseBytes: number;
    routerNoAssetsToBody: number;
    /** The same after a warm-up with long bodies too (request-memory.ts): what the target is judged by. */
    warm: {
      floorPeakRiseBytes: number;
      routerPeakRiseBytes: number;
      routerToBody: number;
      routerNoAssetsPeakRiseBytes: number;
      routerNoAssetsToBody: number;
    };
    /** One 25 MiB multipart upload to /v1/audio/transcriptions (router without [assets]), or why not. */
    upload: { bodyBytes: number; floorPeakRiseBytes: number; routerPeakRiseBytes: number; routerToBody: number } | { skipped: string };
  };
  /** Later: what choosing among a pool's hosts adds per request (bench/run.ts measurePoolRoutingDecision). */
  poolRoutingDecisionMs?: number;
}

export interface Settings {
  pacing: { chunks: number; gapMs: number };
  catalogMs: number;
  modelsPerHost: number;
  rateLimitPerMinute: number;
  latency: { warmup: number; rounds: number; perRound: number };
  throughput: { concurrency: number; seconds: number; rounds: number };
  streaming: { rounds: number; perRound: number };
  bodyGrowth: { rounds: number; perRound: number };
  cpu: CpuPlan;
}

export interface Verdict {
  target: string;
  limit: string;
  values: Record<string, { value: string; met: boolean }>;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib1 = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const growthLabels = "1 KiB / 64 KiB / 512 KiB / 2 MiB / 3.5 MiB";
const mib = (bytes: number | undefined) => (bytes ? `${(bytes / (1024 * 1024)).toFixed(0)} MiB` : "n/a");

/**
 * A figure judged without the local [assets] layer where that was measured (on Cloudflare asset routing
 * runs before the Worker, so the issue lets it be measured apart), with the figure as configured beside.
 */
function apart(
  f: RuntimeFigures,
  configured: number,
  bare: (d: NonNullable<RuntimeFigures["diagnostics"]>[string]) => number | undefined,
  format: (v: number) => string,
  met: (v: number) => boolean,
): { value: string; met: boolean } {
  const d = f.diagnostics?.["router-no-assets"];
  const judged = d ? bare(d) : undefined;
  if (judged === undefined) return { value: format(configured), met: met(configured) };
  return { value: `${format(judged)} without [assets] (${format(configured)} with)`, met: met(judged) };
}

export function verdicts(runtimes: Record<string, RuntimeFigures>, settings: Settings, bundleGzipBytes: number): Verdict[] {
  const each = (fn: (f: RuntimeFigures) => { value: string; met: boolean }) =>
    Object.fromEntries(Object.entries(runtimes).map(([name, f]) => [name, fn(f)]));
  const gap = settings.pacing.gapMs;
  return [
    {
      target: "router's own cost (router − floor, median, concurrency 1)",
      limit: "≤ 0.5 ms",
      values: each((f) =>
        apart(
          f,
          f.latency.routerMinusFloorMs,
          (d) => d.minusFloorMs,
          ms,
          (v) => v <= 0.5,
        ),
      ),
    },
    {
      target: "throughput at concurrency 16, router ÷ floor",
      limit: "≥ 0.9",
      values: each((f) =>
        apart(
          f,
          f.throughput.routerToFloor,
          (d) => d.toFloor,
          (v) => v.toFixed(2),
          (v) => v >= 0.9,
        ),
      ),
    },
    {
      target: "first streamed byte, router − floor (median)",
      limit: "≤ 1 ms",
      values: each((f) =>
        apart(
          f,
          f.streaming.routerTtfbMinusFloorMs,
          (d) => d.ttfbMinusFloorMs,
          ms,
          (v) => v <= 1,
        ),
      ),
    },
    {
      target: `chunk gaps p99 through the router vs the host's ${gap} ms`,
      limit: "within 2 ms",
      values: each((f) => ({ value: ms(f.streaming.router.gaps.p99), met: Math.abs(f.streaming.router.gaps.p99 - gap) <= 2 })),
    },
    {
      target: "streamed bytes identical to the host's",
      limit: "all streams",
      values: each((f) => ({
        value: `${f.streaming.router.identical}/${f.streaming.router.streams}`,
        met: f.streaming.router.identical === f.streaming.router.streams,
      })),
    },
    {
      target: "warm /v1/models with a refused and a stalling host (p99)",
      limit: "≤ 20 ms",
      values: each((f) => ({ value: ms(f.catalogWithDeadHosts.warm.p99), met: f.catalogWithDeadHosts.warm.p99 <= 20 })),
    },
    {
      target: "warm /v1/models, 20 hosts ÷ 1 host (median)",
      limit: "≤ 1.5",
      values: each((f) => ({ value: f.catalogGrowth.ratio20to1.toFixed(2), met: f.catalogGrowth.ratio20to1 <= 1.5 })),
    },
    {
      target: "bundle, gzipped",
      limit: "≤ 100 KiB",
      values: each(() => ({ value: kib(bundleGzipBytes), met: bundleGzipBytes <= 100 * 1024 })),
    },
    {
      target: "router's own cost ÷ Portkey's own cost (median of rounds)",
      limit: "≤ 1.0",
      values: each((f) => {
        if ("skipped" in f.peer) return { value: `not measured (${f.peer.skipped})`, met: false };
        // A peer at or below the floor (noise on a busy machine) gives no ratio to judge by.
        if (f.peer.minusFloorMs <= 0) return { value: `n/a (Portkey − floor ${ms(f.peer.minusFloorMs)})`, met: false };
        // The [assets] layer may be measured apart (on Cloudflare asset routing runs before the Worker).
        const judged = f.peer.routerNoAssetsOwnToPeerOwn ?? f.peer.routerOwnToPeerOwn;
        const apart =
          f.peer.routerNoAssetsOwnToPeerOwn !== undefined ? ` without [assets] (${f.peer.routerOwnToPeerOwn.toFixed(2)} with)` : "";
        return { value: `${judged.toFixed(2)}${apart}`, met: judged <= 1 };
      }),
    },
    {
      target: "body growth: router − floor slope vs one JSON.parse of the same body",
      limit: "≤ JSON.parse ms/MiB",
      values: each((f) => {
        const g = f.bodyGrowth;
        const bare = f.bodyGrowthNoAssets;
        // Each slope against the JSON.parse timed between its own rounds.
        const judged = bare ?? g;
        const label = bare
          ? `${bare.slopeMsPerMiB.toFixed(2)} vs ${bare.jsonParseMsPerMiB.toFixed(2)} without [assets] (${g.slopeMsPerMiB.toFixed(2)} vs ${g.jsonParseMsPerMiB.toFixed(2)} with)`
          : `${g.slopeMsPerMiB.toFixed(2)} vs ${g.jsonParseMsPerMiB.toFixed(2)}`;
        return { value: `${label} ms/MiB`, met: judged.slopeMsPerMiB <= judged.jsonParseMsPerMiB };
      }),
    },
    {
      target: "peak memory for one 3.5 MiB request (RSS high-water rise ÷ body; warmed and fresh isolate)",
      limit: "≤ 3x",
      // Judged without the local [assets] layer, which on Cloudflare runs before the Worker, both in an
      // isolate that has read long bodies before and as the first long body a fresh isolate sees
      // (request-memory.ts): a new isolate meeting a long conversation is an everyday case.
      values: each((f) => {
        const m = f.requestMemory;
        if (!m) return { value: "not measured (Miniflare only)", met: true };
        return {
          value: `${m.warm.routerNoAssetsToBody.toFixed(2)}x warmed / ${m.routerNoAssetsToBody.toFixed(2)}x fresh without [assets] (${m.warm.routerToBody.toFixed(2)}x / ${m.routerToBody.toFixed(2)}x with)`,
          met: m.warm.routerNoAssetsToBody <= 3 && m.routerNoAssetsToBody <= 3,
        };
      }),
    },
  ];
}

const DIAGNOSTIC_TITLES: Record<string, string> = {
  "router-no-assets": "router without the local [assets] routing layer (judged): − floor / ÷ floor throughput / first byte − floor",
  "router-no-assets-no-ratelimiter":
    "diagnostic: … and without the RATE_LIMITER binding: − floor / ÷ floor throughput / first byte − floor",
  "router-no-assets-no-log":
    "diagnostic: router without [assets] and without its log line (REQUEST_LOG=off): − floor / ÷ floor throughput / first byte − floor",
};

function diagnosticRows(runtimes: Record<string, RuntimeFigures>, names: string[]): string[][] {
  const keys = [...new Set(names.flatMap((n) => Object.keys(runtimes[n]?.diagnostics ?? {})))];
  return keys.map((key) => [
    DIAGNOSTIC_TITLES[key] ?? key,
    ...names.map((n) => {
      const d = runtimes[n]?.diagnostics?.[key];
      if (!d) return "not measured";
      return `${ms(d.minusFloorMs)} / ${d.toFloor.toFixed(2)}${d.ttfbMinusFloorMs !== undefined ? ` / ${ms(d.ttfbMinusFloorMs)}` : ""}`;
    }),
  ]);
}

function underLoadCells(f: RuntimeFigures, names: string[]): string {
  if (!f.underLoad) return "not measured";
  const cell = (name: string) => {
    const u = f.underLoad?.[name];
    return u ? `${u.cpuMsPerRequest.toFixed(2)} ms, ${u.busiestProcessCores.toFixed(2)} core, ${Math.round(u.machineBusy * 100)}%` : "—";
  };
  const peer = f.underLoad.portkey ? `; ${cell("portkey")}` : "";
  return `${names.map(cell).join(" / ")}${peer}`;
}

function cpuCells(f: RuntimeFigures, pick: (c: CpuCost) => number, names: string[]): string {
  if (!f.cpu) return "not measured";
  const cell = (name: string) => {
    const c = f.cpu?.[name];
    return c ? pick(c).toFixed(2) : "—";
  };
  const peer = f.cpu.portkey ? `; ${cell("portkey")}` : "";
  return `${names.map(cell).join(" / ")} ms${peer}`;
}

const RUNTIME_TITLES: Record<string, string> = {
  miniflare: "workerd via Miniflare (no dev proxy)",
  "wrangler-dev": "wrangler dev (proxy + inspector)",
};

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

export function markdown(
  runtimes: Record<string, RuntimeFigures>,
  settings: Settings,
  bundleGzipBytes: number,
  verdictList: Verdict[],
): string {
  const names = Object.keys(runtimes);
  const row = (label: string, cell: (f: RuntimeFigures) => string) => [label, ...names.map((n) => cell(runtimes[n] as RuntimeFigures))];
  const pair = (s: Summary) => `${s.median.toFixed(2)} / ${s.p99.toFixed(2)} ms`;
  const gap = settings.pacing.gapMs;
  const figures = table(
    ["measurement", ...names.map((n) => RUNTIME_TITLES[n] ?? n)],
    [
      row("latency, concurrency 1, median / p99: direct", (f) => pair(f.latency.direct)),
      row("… floor (bare pass-through Worker)", (f) => pair(f.latency.floor)),
      row("… router", (f) => pair(f.latency.router)),
      row(
        "**router − floor** (median) / router − direct",
        (f) => `**${ms(f.latency.routerMinusFloorMs)}** / ${ms(f.latency.routerMinusDirectMs)}`,
      ),
      row(
        `throughput, concurrency ${settings.throughput.concurrency}, req/s: direct / floor / router`,
        (f) => `${f.throughput.direct.rps.toFixed(0)} / ${f.throughput.floor.rps.toFixed(0)} / ${f.throughput.router.rps.toFixed(0)}`,
      ),
      row("**router ÷ floor** throughput", (f) => `**${f.throughput.routerToFloor.toFixed(2)}**`),
      row(
        `under that load: workerd CPU per request, busiest workerd process (1 core = its thread saturated), machine busy: floor / router without [assets] / router; Portkey`,
        (f) => underLoadCells(f, ["floor", "router-no-assets", "router"]),
      ),
      row(
        "first streamed byte, median: direct / floor / router",
        (f) =>
          `${f.streaming.direct.ttfb.median.toFixed(2)} / ${f.streaming.floor.ttfb.median.toFixed(2)} / ${f.streaming.router.ttfb.median.toFixed(2)} ms`,
      ),
      row("**router − floor** first byte", (f) => `**${ms(f.streaming.routerTtfbMinusFloorMs)}**`),
      row(`chunk gaps p50 / p99 (host paces ${gap} ms): direct`, (f) => pair(f.streaming.direct.gaps)),
      row("… floor", (f) => pair(f.streaming.floor.gaps)),
      row("… router", (f) => pair(f.streaming.router.gaps)),
      row(
        "streams byte-identical to the host's: floor / router",
        (f) =>
          `${f.streaming.floor.identical}/${f.streaming.floor.streams} / ${f.streaming.router.identical}/${f.streaming.router.streams}`,
      ),
      row("CPU per chat request (the workerd processes' CPU ÷ requests): floor / router without [assets] / router; Portkey", (f) =>
        cpuCells(f, (c) => c.plainMs, ["floor", "router-no-assets", "router"]),
      ),
      row(
        `CPU per streamed chat (${settings.pacing.chunks} events): floor / JavaScript pass-through (bench/floor-js-worker.ts) / router without [assets] / router; Portkey`,
        (f) => cpuCells(f, (c) => c.streamMs, ["floor", "floor-js", "router-no-assets", "router"]),
      ),
      row(`/v1/models, 5 hosts (1 refused, 1 stalling; catalogMs ${settings.catalogMs}): first call`, (f) =>
        ms(f.catalogWithDeadHosts.firstMs),
      ),
      row("… warm, median / p99", (f) => pair(f.catalogWithDeadHosts.warm)),
      row(
        `warm /v1/models median, 1 / 5 / 20 hosts (${settings.modelsPerHost} models each)`,
        (f) =>
          `${f.catalogGrowth.hosts1.median.toFixed(2)} / ${f.catalogGrowth.hosts5.median.toFixed(2)} / ${f.catalogGrowth.hosts20.median.toFixed(2)} ms`,
      ),
      row("**20 hosts ÷ 1 host**", (f) => `**${f.catalogGrowth.ratio20to1.toFixed(2)}**`),
      ...diagnosticRows(runtimes, names),
      row("router's own cost, median of round medians (router − floor)", (f) => ms(f.routerOwnMedianOfRoundsMs)),
      row("Portkey gateway (same host, same runtime): latency median / − floor / first byte", (f) =>
        "skipped" in f.peer
          ? `skipped: ${f.peer.skipped}`
          : `${ms(f.peer.latency.median)} / ${ms(f.peer.minusFloorMs)} / ${ms(f.peer.ttfbMedianMs)}`,
      ),
      row("**router own ÷ Portkey own** (as configured / without [assets]); Portkey throughput req/s", (f) => {
        const p = f.peer;
        if ("skipped" in p) return "n/a";
        const ratio = (v: number | undefined) => (v === undefined ? "not measured" : p.minusFloorMs > 0 ? v.toFixed(2) : "n/a");
        return `**${ratio(p.routerOwnToPeerOwn)} / ${ratio(p.routerNoAssetsOwnToPeerOwn)}**; ${p.rps.toFixed(0)}`;
      }),
      row(
        `body growth, router − floor at ${growthLabels}`,
        (f) => `${f.bodyGrowth.sizes.map((x) => x.routerMinusFloorMs.toFixed(2)).join(" / ")} ms`,
      ),
      row(`… without [assets] at the same sizes`, (f) =>
        f.bodyGrowthNoAssets
          ? `${f.bodyGrowthNoAssets.sizes.map((x) => x.routerMinusFloorMs.toFixed(2)).join(" / ")} ms (slope ${f.bodyGrowthNoAssets.slopeMsPerMiB.toFixed(2)}; JSON.parse ${f.bodyGrowthNoAssets.jsonParseMsPerMiB.toFixed(2)}, fastest ${f.bodyGrowthNoAssets.jsonParseBestMsPerMiB.toFixed(2)} ms/MiB)`
          : "not measured",
      ),
      row(
        "**body growth slope** / one JSON.parse of the body (Node, median of batches between rounds; fastest batch)",
        (f) =>
          `**${f.bodyGrowth.slopeMsPerMiB.toFixed(2)}** / ${f.bodyGrowth.jsonParseMsPerMiB.toFixed(2)} ms/MiB (${f.bodyGrowth.jsonParseBestMsPerMiB.toFixed(2)})`,
      ),
      row("one 3.5 MiB request, peak RSS rise: floor / router (÷ body) / router without [assets] (÷ body); warmed isolate", (f) => {
        const m = f.requestMemory?.warm;
        return m
          ? `${mib1(m.floorPeakRiseBytes)} / ${mib1(m.routerPeakRiseBytes)} (${m.routerToBody.toFixed(2)}x) / ${mib1(m.routerNoAssetsPeakRiseBytes)} (${m.routerNoAssetsToBody.toFixed(2)}x)`
          : "not measured";
      }),
      row("… the same as the first long body a fresh isolate sees", (f) => {
        const m = f.requestMemory;
        return m
          ? `${mib1(m.floorPeakRiseBytes)} / ${mib1(m.routerPeakRiseBytes)} (${m.routerToBody.toFixed(2)}x) / ${mib1(m.routerNoAssetsPeakRiseBytes)} (${m.routerNoAssetsToBody.toFixed(2)}x)`
          : "not measured";
      }),
      row("one 25 MiB multipart upload to /v1/audio/transcriptions, peak RSS rise: floor / router without [assets] (÷ body)", (f) => {
        const u = f.requestMemory?.upload;
        if (!u) return "not measured";
        if ("skipped" in u) return `skipped: ${u.skipped}`;
        return `${mib1(u.floorPeakRiseBytes)} / ${mib1(u.routerPeakRiseBytes)} (${u.routerToBody.toFixed(2)}x)`;
      }),
      ...(names.some((n) => runtimes[n]?.poolRoutingDecisionMs !== undefined)
        ? [row("pool routing decision cost", (f) => (f.poolRoutingDecisionMs !== undefined ? ms(f.poolRoutingDecisionMs) : "not measured"))]
        : []),
      row(
        "peak RSS of the runtime's workerd under load: floor / router",
        (f) => `${mib(f.throughput.floor.peakRssBytes)} / ${mib(f.throughput.router.peakRssBytes)}`,
      ),
      row("bundle (`wrangler deploy --dry-run`), gzipped", () => kib(bundleGzipBytes)),
    ],
  );
  const targets = table(
    ["target", "limit", ...names.map((n) => RUNTIME_TITLES[n] ?? n)],
    verdictList.map((v) => [
      v.target,
      v.limit,
      ...names.map((n) =>
        v.values[n]?.value.startsWith("not measured")
          ? (v.values[n]?.value ?? "")
          : `${v.values[n]?.value} ${v.values[n]?.met ? "✅ met" : "❌ missed"}`,
      ),
    ]),
  );
  return [...figures, "", ...targets].join("\n");
}
