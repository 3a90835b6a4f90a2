// GET /v1/models and GET /v1/models/{composite id}. The id may hold slashes, raw or percent-encoded
// (SDKs send `sam-desktop%2Fqwen3-32b`), so it is read from the raw path, not a route parameter.
import { Hono } from "hono";
import { getCatalog, getProviderList, toRecord } from "../catalog/catalog.ts";
import type { AppEnv } from "../env.ts";
import { modelNotFound } from "../errors.ts";
import { parseModelId } from "../model-id.ts";
import { loadRegistry } from "../registry/loader.ts";

export const modelRoutes = new Hono<AppEnv>();

const DEGRADED_HEADER = "x-llama-edge-degraded";

modelRoutes.get("/models", async (c) => {
  const catalog = await getCatalog(c.env, c.executionCtx as ExecutionContext, await loadRegistry(c.env));
  if (catalog.degraded.length) c.header(DEGRADED_HEADER, catalog.degraded.join(","));
  return c.json({ object: "list", data: catalog.models });
});

function idFromPath(pathname: string): string | undefined {
  const raw = pathname.slice(pathname.indexOf("/models/") + "/models/".length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

modelRoutes.get("/models/*", async (c) => {
  const id = idFromPath(new URL(c.req.url).pathname);
  if (!id) throw modelNotFound(id ?? "");
  const registry = await loadRegistry(c.env);
  const parsed = parseModelId(id, registry);
  const provider = parsed.ok ? registry.get(parsed.ref.provider) : undefined;
  if (!parsed.ok || !provider?.enabled) throw modelNotFound(id);
  const list = await getProviderList(c.env, c.executionCtx as ExecutionContext, provider);
  const model = list.models.find((m) => m.id === parsed.ref.model);
  if (!model) throw modelNotFound(id);
  if (!list.ok) c.header(DEGRADED_HEADER, provider.id);
  return c.json(toRecord(provider, model, list.ok));
});
