// OpenAI-compatible routes under /v1 (inference, models).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const openaiRoutes = new Hono<AppEnv>();
