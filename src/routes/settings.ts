// Per-user routes under /api: settings (favorites), the grouped picker view, and model context.
// Everything per user lives in that user's Durable Object; the catalog stays the same for everyone.
import { Hono } from "hono";
import * as z from "zod";
import { getCatalog } from "../catalog/catalog.ts";
import { lookupModel, modelIdFromPath } from "../catalog/lookup.ts";
import { CONTEXT_CACHE_MS, discoverContext, discoverPoolContext } from "../context/discover.ts";
import type { AppEnv } from "../env.ts";
import { BODY_LIMITS, limitBody } from "../http/body-limit.ts";
import { readJsonBody } from "../http/json-body.ts";
import { normalizeFavorites } from "../users/favorites.ts";
import { buildPicker } from "../users/picker.ts";
import { userState } from "../users/stub.ts";
import type { ContextEntry } from "../users/user-state.ts";

export const settingsRoutes = new Hono<AppEnv>();

const SettingsPatch = z.strictObject({ favorite_models: z.array(z.unknown()).optional() });

settingsRoutes.get("/settings", async (c) => c.json({ favorite_models: await userState(c).getFavorites() }));

settingsRoutes.patch("/settings", limitBody(BODY_LIMITS.settings), async (c) => {
  const patch = await readJsonBody(c, SettingsPatch);
  const state = userState(c);
  // Without `favorite_models` the list is left alone: only an explicit list replaces it.
  if (patch.favorite_models === undefined) return c.json({ favorite_models: await state.getFavorites() });
  const favorites = normalizeFavorites(patch.favorite_models, await c.get("scope").registry());
  return c.json({ favorite_models: await state.setFavorites(favorites) });
});

settingsRoutes.get("/picker", async (c) => {
  const state = userState(c);
  const [catalog, favorites] = await Promise.all([getCatalog(c.get("scope")), state.getFavorites()]);
  // Context lengths the host's list lacks may be known from this user's context cache (GET /api/models/{id}/context).
  const unknown = catalog.models.filter((m) => !m.context_length).map((m) => m.id);
  const contexts = unknown.length ? await state.getContexts(unknown, CONTEXT_CACHE_MS) : {};
  return c.json(buildPicker(catalog, favorites, contexts));
});

settingsRoutes.get("/models/*", async (c) => {
  const id = modelIdFromPath(new URL(c.req.url).pathname, "/api/models/", "/context");
  const scope = c.get("scope");
  const found = await lookupModel(scope, id);
  const state = userState(c);
  const cache = { get: (key: string) => state.getContext(key, CONTEXT_CACHE_MS), put: (entry: ContextEntry) => state.putContext(entry) };
  if ("pool" in found) return c.json(await discoverPoolContext(scope, found, cache));
  return c.json(await discoverContext(scope, { ...found, reachable: found.list.ok }, cache));
});
