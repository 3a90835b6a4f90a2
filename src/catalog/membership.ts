// Does a provider's model list hold this wire id? Model resolution asks this for a bare id with a `/`
// whose first segment is no provider (`Qwen/Qwen3-8B-GGUF`): it goes to the default provider only
// when that host lists it. Answered from the catalog's cache when warm.
import type { Env } from "../env.ts";
import type { Provider } from "../registry/schema.ts";
import { getProviderList } from "./catalog.ts";

export async function providerListsModel(env: Env, ctx: ExecutionContext, provider: Provider, wireModel: string): Promise<boolean> {
  const list = await getProviderList(env, ctx, provider);
  return list.models.some((m) => m.id === wireModel);
}
