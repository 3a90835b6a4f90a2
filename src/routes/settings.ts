// Per-user routes under /api: settings (favorites), the grouped picker view, and model context.
// Everything per user lives in that user's Durable Object; the catalog stays the same for everyone.
import { Hono } from "hono";
import { z } from "zod";
import { getCatalog, getProviderList } from "../catalog/catalog.ts";
import { CONTEXT_CACHE_MS, discoverContext } from "../context/discover.ts";
import type { AppEnv } from "../env.ts";
import { modelNotFound } from "../errors.ts";
import { readJsonBody } from "../http/json-body.ts";
import { parseModelId } from "../model-id.ts";
import { loadRegistry } from "../registry/loader.ts";
import { normalizeFavorites } from "../users/favorites.ts";
import { buildPicker } from "../users/picker.ts";
import { userState } from "../users/stub.ts";

export const settingsRoutes = new Hono<AppEnv>();

const SettingsPatch = z.strictObject({ favorite_models: z.array(z.unknown()).optional() });

settingsRoutes.get("/settings", async (c) => c.json({ favorite_models: await userState(c).getFavorites() }));

settingsRoutes.patch("/settings", async (c) => {
  const patch = await readJsonBody(c, SettingsPatch);
  const state = userState(c);
  // Without `favorite_models` the list is left alone: only an explicit list replaces it.
  if (patch.favorite_models === undefined) return c.json({ favorite_models: await state.getFavorites() });
  const favorites = normalizeFavorites(patch.favorite_models, await loadRegistry(c.env));
  return c.json({ favorite_models: await state.setFavorites(favorites) });
});

settingsRoutes.get("/picker", async (c) => {
  const [catalog, favorites] = await Promise.all([
    loadRegistry(c.env).then((registry) => getCatalog(c.env, c.executionCtx as ExecutionContext, registry)),
    userState(c).getFavorites(),
  ]);
  return c.json(buildPicker(catalog, favorites));
});

settingsRoutes.get("/models/*", async (c) => {
  const pathname = new URL(c.req.url).pathname;
  const match = /^\/api\/models\/(.+)\/context$/.exec(pathname);
  let id: string | undefined;
  try {
    id = match ? decodeURIComponent(match[1] as string) : undefined;
  } catch {
    id = undefined;
  }
  if (!id) throw modelNotFound(match?.[1] ?? "");
  const registry = await loadRegistry(c.env);
  const parsed = parseModelId(id, registry);
  const provider = parsed.ok ? registry.get(parsed.ref.provider) : undefined;
  if (!parsed.ok || !provider?.enabled) throw modelNotFound(id);
  const list = await getProviderList(c.env, c.executionCtx as ExecutionContext, provider);
  const model = list.models.find((m) => m.id === parsed.ref.model);
  const compositeId = `${provider.id}/${parsed.ref.model}`;
  if (!model && (list.ok || parsed.kind === "bare-slashed")) throw modelNotFound(id);
  const state = userState(c);
  return c.json(
    await discoverContext(
      c.env,
      { compositeId, provider, wireModel: parsed.ref.model, model, reachable: list.ok },
      { get: async (key) => (await state.getContext(key, CONTEXT_CACHE_MS)) ?? undefined, put: (entry) => state.putContext(entry) },
    ),
  );
});
