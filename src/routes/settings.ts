// Per-user routes under /api: settings (favorites), the picker view, model context.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const settingsRoutes = new Hono<AppEnv>();
