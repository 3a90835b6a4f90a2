// GET /v1/models and GET /v1/models/{composite id}.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const modelRoutes = new Hono<AppEnv>();
