// What the doctor learns about a reachable llama-swap host beyond its list, without loading anything:
// its generation (from how it answers a model that cannot exist) and whether `/props` is safe to ask.
import type { HostModel } from "../catalog/types.ts";
import type { Host } from "../upstream/host.ts";

/** v217: up to ~v217 (400 text); v250: v218..v250 (404, error a string); main: current (404, error an object). */
export type Generation = "v217" | "v250" | "main" | "unknown";
export type PropsCheck = "protected" | "readable" | "not_served" | "unknown";

/** No host has a model by this name, so asking for it can never start a load. */
const NO_SUCH_MODEL = "llama-edge-doctor-no-such-model";

async function text(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 4096);
  } catch {
    return "";
  }
}

export async function probeGeneration(host: Host, budgetMs: number): Promise<Generation> {
  try {
    const res = await host.send({
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ model: NO_SUCH_MODEL, messages: [{ role: "user", content: "doctor" }], max_tokens: 1 }),
      signal: AbortSignal.timeout(budgetMs),
    });
    const body = await text(res);
    if (res.status === 400 && body.includes("could not find suitable inference handler")) return "v217";
    if (res.status !== 404) return "unknown";
    const json = JSON.parse(body) as { src?: unknown; error?: unknown };
    if (json.src !== "llama-swap") return "unknown";
    return typeof json.error === "string" ? "v250" : typeof json.error === "object" && json.error !== null ? "main" : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * `/props` through llama-swap loads the model it names, unless `upstream.ignorePaths` holds `^/props$`
 * (then an unloaded model answers 409). The doctor therefore asks only a model the host itself shows
 * loaded, re-checked in `/running` just before; with none loaded it skips and says "unknown".
 * A 409 then means the setting is there (the model unloaded in between and was not loaded again).
 */
export async function probeProps(host: Host, models: readonly HostModel[], budgetMs: number): Promise<PropsCheck> {
  const listedLoaded = models.filter((m) => m.status === "loaded").map((m) => m.id);
  if (listedLoaded.length === 0) return "unknown";
  const signal = AbortSignal.timeout(budgetMs);
  const running = await host.kind.loadedModels(host, signal);
  const model = listedLoaded.find((id) => running?.has(id));
  if (!model) return "unknown";
  try {
    const res = await host.send({ path: `/props?model=${encodeURIComponent(model)}`, headers: { accept: "application/json" }, signal });
    await res.body?.cancel();
    if (res.status === 409) return "protected";
    if (res.ok) return "readable";
    if (res.status === 404) return "not_served";
    return "unknown";
  } catch {
    return "unknown";
  }
}
