// OpenAI-compatible routes under /v1: inference and the model catalog.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { inferenceRoutes } from "./inference.ts";
import { modelRoutes } from "./models.ts";

export const openaiRoutes = new Hono<AppEnv>();
openaiRoutes.route("/", inferenceRoutes);
openaiRoutes.route("/", modelRoutes);
