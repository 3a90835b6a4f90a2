// Operator routes under /admin, authorized by the ADMIN_TOKEN secret (see auth/middleware.ts).
import { Hono } from "hono";
import * as z from "zod";
import { createKey, listKeys, revokeKey } from "../auth/api-keys.ts";
import { providerHealth } from "../catalog/health.ts";
import { runDoctor } from "../doctor/doctor.ts";
import { forgetProviderLists } from "../catalog/provider-lists.ts";
import { USER_ID } from "../auth/key-format.ts";
import type { AppEnv } from "../env.ts";
import { invalidRequest, notFound } from "../errors.ts";
import { readJsonBody } from "../http/json-body.ts";
import { saveRegistry } from "../registry/loader.ts";
import { checkRegistry } from "../registry/schema.ts";

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.get("/providers", async (c) => {
  const registry = await c.get("scope").registry();
  return c.json({ source: registry.source, ...registry.document });
});

adminRoutes.put("/providers", async (c) => {
  const body = await readJsonBody(c, z.unknown());
  // GET adds `source` (kv / legacy / empty): dropped here so what GET answers can be PUT back as is.
  if (typeof body === "object" && body !== null && !Array.isArray(body)) delete (body as Record<string, unknown>).source;
  const checked = checkRegistry(body);
  if (!checked.ok) throw invalidRequest(`The provider registry is invalid: ${checked.problems.join("; ")}`, "invalid_registry");
  await saveRegistry(c.env, checked.registry);
  forgetProviderLists();
  return c.json({ ok: true, providers: checked.registry.providers.map((p) => p.id) });
});

const NewKey = z.strictObject({ user: USER_ID, label: z.string().max(100).default("") });

adminRoutes.post("/keys", async (c) => {
  const body = await readJsonBody(c, NewKey);
  const { key, listing } = await createKey(c.env, body.user, body.label);
  c.get("log").created_key = listing.keyId;
  return c.json({ key, ...listing }, 201);
});

adminRoutes.get("/keys", async (c) => c.json({ object: "list", data: await listKeys(c.env) }));

adminRoutes.delete("/keys/:id", async (c) => {
  const keyId = c.req.param("id");
  if (!/^[0-9a-f]{12}$/.test(keyId) || !(await revokeKey(c.env, keyId))) throw notFound(`No API key with id '${keyId}'.`, "key_not_found");
  return c.json({ id: keyId, revoked: true });
});

adminRoutes.get("/health", async (c) => c.json({ providers: await providerHealth(c.get("scope")) }));

adminRoutes.get("/doctor", async (c) => {
  const providers = await runDoctor(c.get("scope"), new URL(c.req.url).origin);
  return c.json({ ok: providers.every((p) => p.ok !== false), providers });
});
