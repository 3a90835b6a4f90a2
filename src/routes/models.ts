// GET /v1/models and GET /v1/models/{composite id}. The id may hold slashes, raw or percent-encoded
// (SDKs send `sam-desktop%2Fqwen3-32b`), so it is read from the raw path, not a route parameter.
import { Hono } from "hono";
import { getCatalog, toRecord } from "../catalog/catalog.ts";
import { lookupModel, modelIdFromPath } from "../catalog/lookup.ts";
import type { AppEnv } from "../env.ts";
import { modelNotFound } from "../errors.ts";
import { anthropicModel, anthropicModelList } from "../http/anthropic.ts";

export const modelRoutes = new Hono<AppEnv>();

const DEGRADED_HEADER = "x-llama-edge-degraded";

modelRoutes.get("/models", async (c) => {
  const catalog = await getCatalog(c.get("scope"));
  if (catalog.degraded.length) c.header(DEGRADED_HEADER, catalog.degraded.join(","));
  // Anthropic's SDKs list models with an `anthropic-version` header and read Anthropic's list shape.
  if (c.get("dialect") === "anthropic") return c.json(anthropicModelList(catalog.models));
  return c.json({ object: "list", data: catalog.models });
});

modelRoutes.get("/models/*", async (c) => {
  const id = modelIdFromPath(new URL(c.req.url).pathname, "/v1/models/");
  const found = await lookupModel(c.get("scope"), id);
  const anthropic = c.get("dialect") === "anthropic";
  if ("pool" in found) return c.json(anthropic ? anthropicModel(found.record) : found.record);
  if (!found.model) throw modelNotFound(found.compositeId);
  if (!found.list.ok) c.header(DEGRADED_HEADER, found.provider.id);
  const record = toRecord(found.provider, found.model, found.list.ok);
  return c.json(anthropic ? anthropicModel(record) : record);
});
