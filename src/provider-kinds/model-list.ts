// Reading an OpenAI-style model list (`{"data":[{id,...}]}`), which llama-swap and hosted APIs share.
// Tolerant on purpose: hosts add fields with every release; a record we cannot read is skipped, not fatal.
// Only ids the router's own grammar accepts are listed, so the catalog never offers an id that a request
// would then refuse (`evil/has space`, bidi tricks).
import * as z from "zod";
import type { HostModel } from "../catalog/types.ts";
import { checkModelString } from "../model-id.ts";

/** The largest model list the router reads; past it the host's answer counts as failed. */
export const MAX_LIST_BYTES = 4 * 1024 * 1024;

const Names = z.array(z.string().min(1).max(64)).max(64);
// `capabilities` is a list of names, or an object of flags on some versions: both become a list.
const Capabilities = z
  .union([Names, z.record(z.string().max(64), z.unknown())])
  .transform((value) => (Array.isArray(value) ? value : Object.keys(value).filter((name) => value[name] === true)).slice(0, 64));

const Record_ = z.looseObject({
  id: z.string().min(1).max(256),
  status: z.looseObject({ value: z.string() }).optional().catch(undefined),
  context_length: z.number().int().positive().optional().catch(undefined),
  meta: z
    .looseObject({ n_ctx: z.number().int().positive().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  capabilities: Capabilities.optional().catch(undefined),
  architecture: z
    .strictObject({ input_modalities: Names.optional(), output_modalities: Names.optional() })
    .partial()
    .optional()
    .catch(undefined),
  supported_parameters: Names.optional().catch(undefined),
});
const List = z.looseObject({ data: z.array(z.unknown()).max(5000) });

export function parseModelList(json: unknown): HostModel[] | undefined {
  const list = List.safeParse(json);
  if (!list.success) return undefined;
  const models: HostModel[] = [];
  const seen = new Set<string>();
  for (const raw of list.data.data) {
    const record = Record_.safeParse(raw);
    if (!record.success || seen.has(record.data.id) || checkModelString(record.data.id)) continue;
    const { id, status, context_length, meta, capabilities, architecture, supported_parameters } = record.data;
    seen.add(id);
    const context = context_length ?? meta?.n_ctx;
    models.push({
      id,
      ...(status?.value === "loaded" || status?.value === "unloaded" ? { status: status.value } : {}),
      ...(context ? { context_length: context } : {}),
      ...(capabilities ? { capabilities } : {}),
      ...(architecture ? { architecture } : {}),
      ...(supported_parameters ? { supported_parameters } : {}),
    });
  }
  return models;
}

/** `data` that is not a list is a host that does not speak this API: a failure, not an empty list. */
export function listOrThrow(json: unknown, fail: () => Error): HostModel[] {
  const models = parseModelList(json);
  if (!models) throw fail();
  return models;
}
