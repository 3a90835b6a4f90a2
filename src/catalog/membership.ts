// Does a provider's model list hold this wire id? Model resolution asks this for a bare id with a `/`
// whose first segment is no provider (`Qwen/Qwen3-8B-GGUF`): it goes to the default provider only
// when that host lists it. Owned by the catalog: answer from its cache when warm.
// PLACEHOLDER until the catalog lands: asks the host's list directly.
import type { Env } from "../env.ts";
import type { Provider } from "../registry/schema.ts";
import { apiPath, sendToProvider } from "../upstream/transport.ts";

export async function providerListsModel(env: Env, _ctx: ExecutionContext, provider: Provider, wireModel: string): Promise<boolean> {
  if (provider.models) return provider.models.some((m) => (typeof m === "string" ? m : m.id) === wireModel);
  try {
    const res = await sendToProvider(env, provider, { path: apiPath(provider, "/models"), headers: { accept: "application/json" }, firstByteMs: 2500 });
    if (!res.ok) return false;
    const body = (await res.json()) as { data?: { id?: unknown }[] };
    return Array.isArray(body.data) && body.data.some((m) => m.id === wireModel);
  } catch {
    return false;
  }
}
