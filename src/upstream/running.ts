// llama-swap's `/running`: which models are in GPU memory right now. Hosts before v236 list no
// `status` in their model list, so this is the cheap way to know what is loaded there, and the check
// made just before reading a model's props (a model can unload at any moment). Its records also carry
// `cmd`, the host's command line: only model ids leave this module.
import * as z from "zod";
import type { Env } from "../env.ts";
import type { Provider } from "../registry/schema.ts";
import { readHostJson } from "./transport.ts";

// `state` is "ready" once llama-server answers; "starting" or "stopping" are not loaded yet / any more.
const Running = z.looseObject({
  running: z.array(z.looseObject({ model: z.string(), state: z.string().optional().catch(undefined) })).max(5000),
});

/** The ids of the models that are loaded and ready; undefined when the host does not say. */
export async function runningModels(env: Env, provider: Provider, signal: AbortSignal, firstByteMs: number): Promise<Set<string> | undefined> {
  const parsed = Running.safeParse(await readHostJson(env, provider, "/running", signal, firstByteMs));
  if (!parsed.success) return undefined;
  return new Set(parsed.data.running.filter((r) => r.state === undefined || r.state === "ready").map((r) => r.model));
}
