// The provider registry's format. This schema IS its documentation: every field, default and rule
// lives here, and the same schema checks `providers.json` in the CLI, the registry in KV and
// `PUT /admin/providers`. Imports nothing but zod so the CLI can load it under plain Node.
import * as z from "zod";

export const PROVIDER_ID = /^[a-z0-9-]{1,32}$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const PRIVATE_SUFFIXES = [".local", ".lan", ".internal"];

/** RFC 1918 addresses and the LAN-only names: plain http is allowed there (with a warning from `providers check` / doctor). */
export function isPrivateHost(hostname: string): boolean {
  if (PRIVATE_SUFFIXES.some((suffix) => hostname.endsWith(suffix) && hostname.length > suffix.length)) return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname)?.slice(1).map(Number);
  if (!octets || octets.some((o) => o > 255)) return false;
  const [a, b] = octets as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export const isLocalHost = (hostname: string): boolean => LOCAL_HOSTS.has(hostname);

/** Plain http to a public name is refused unless the provider uses the VPC transport (checked on the provider, which knows it). */
export function isPublicPlainHttp(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" && !isLocalHost(url.hostname) && !isPrivateHost(url.hostname);
  } catch {
    return false;
  }
}
const PLAIN_HTTP_RULE =
  "must use https (plain http only for localhost, private addresses such as 192.168.1.5, 10.x, 172.16-31.x, *.local, *.lan, *.internal, or with the vpc transport)";

/** A Worker secret is referenced by its NAME (`SAM_ACCESS_ID`); the value never leaves Worker secrets. */
const SecretName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must be the NAME of a Worker secret in capitals, digits and '_' (like SAM_ACCESS_ID), not its value")
  .refine((name) => !(name.length >= 20 && !name.includes("_") && /\d/.test(name)), {
    message: "looks like a secret value; put the value in a Worker secret (`wrangler secret put NAME`) and reference its NAME here",
  });

const BindingName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a Worker binding name");

const HostUrl = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: PLAIN_HTTP_RULE });
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not contain credentials; use `auth`" });
    if (url.search || value.includes("?")) ctx.addIssue({ code: "custom", message: "must not contain a query" });
    if (url.hash || value.includes("#")) ctx.addIssue({ code: "custom", message: "must not contain a fragment" });
  })
  // One canonical form, so joining paths never doubles a slash.
  .transform((value) => value.replace(/\/+$/, ""));

const AuthNone = z.strictObject({ type: z.literal("none") });
/** A Cloudflare Access service token: sent as CF-Access-Client-Id / CF-Access-Client-Secret. */
const AuthAccess = z.strictObject({ type: z.literal("access"), clientIdSecret: SecretName, clientSecretSecret: SecretName });
/** `Authorization: Bearer <secret>`: a hosted API key, or llama-swap's own `apiKeys`. */
const AuthBearer = z.strictObject({ type: z.literal("bearer"), secret: SecretName });
export const AuthMethod = z.discriminatedUnion("type", [AuthNone, AuthAccess, AuthBearer]);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** `"auth": "none"` is the common slip; never echo other strings, which may be a pasted secret value. */
function authAsString(issue: { input?: unknown }): string | undefined {
  if (typeof issue.input !== "string") return undefined;
  const type = ["none", "access", "bearer"].includes(issue.input) ? issue.input : undefined;
  return type === "none"
    ? 'must be an object, not a string: write "auth": {"type":"none"}'
    : `must be an object (or a list of them), not a string: {"type":"none"}, {"type":"bearer","secret":"NAME"} or {"type":"access","clientIdSecret":"NAME","clientSecretSecret":"NAME"}${type ? "" : " (NAMES of Worker secrets, never values)"}`;
}

const Transport = z.discriminatedUnion("type", [
  /** Public hostname (a Cloudflare Tunnel's, usually behind Access). */
  z.strictObject({ type: z.literal("https") }),
  /** A Workers VPC service binding to the tunnel: requests go through `env[binding].fetch`. */
  z.strictObject({ type: z.literal("vpc"), binding: BindingName }),
]);

const Millis = z.number().int().min(100).max(600_000);
const Timeouts = z.strictObject({
  /** Accepted for registries that set it; a Worker's fetch has no separate connect phase (the tunnel's edge answers at once), so the first-byte budget is what bounds a connect. */
  connectMs: Millis.optional(),
  /** Time allowed until response headers arrive. Cold loads take 10-120 s, hence the generous default. */
  firstByteMs: Millis.default(300_000),
  /** Time allowed for the host's model list when building the catalog. */
  catalogMs: Millis.default(2_500),
  /** Streaming requests still waiting after this long get a 200 SSE stream with keep-alive comments. */
  loadingNoticeMs: Millis.default(5_000),
  /**
   * Once a stream has started, the longest silence between chunks before it counts as stalled and is ended with an
   * error event. Generous on purpose: a long prompt can take a minute of prompt processing before the first token,
   * so only a host that has really hung stays silent this long.
   */
  streamIdleMs: Millis.default(120_000),
});
export type Timeouts = z.output<typeof Timeouts>;

const CompositeIdList = z.array(z.string().min(3).max(256)).max(16);

const StaticModel = z.union([
  z.string().min(1).max(256),
  z.strictObject({
    id: z.string().min(1).max(256),
    name: z.string().max(256).optional(),
    context_length: z.number().int().positive().optional(),
  }),
]);

export const Provider = z
  .strictObject({
    id: z.string().regex(PROVIDER_ID, "must be 1 to 32 lowercase letters, digits or '-'"),
    label: z.string().min(1).max(80),
    /** `llama-swap`: paths under baseUrl are `/v1/...`. `openai`: baseUrl is the API root an OpenAI SDK would take (`https://api.deepseek.com`), paths are `/chat/completions`, `/models`... */
    kind: z.enum(["llama-swap", "openai"]),
    baseUrl: HostUrl,
    /** Chat and completions go here when set; embeddings always go to baseUrl. */
    sidecarUrl: HostUrl.optional(),
    /** One method, or a list for a host behind Access that also checks llama-swap's own API keys. */
    auth: z.union([AuthMethod, z.array(AuthMethod).min(1).max(3)], { error: authAsString }).default({ type: "none" }),
    enabled: z.boolean().default(true),
    transport: Transport.default({ type: "https" }),
    // `prefault` parses the empty object, so every default above is filled in.
    timeouts: Timeouts.prefault({}),
    /** A static model list, for APIs that have none (or to pin one). Replaces the host's list in the catalog. */
    models: z.array(StaticModel).max(1000).optional(),
    /** Composite ids tried in order when this provider is unavailable (before any byte reached the client). */
    fallbacks: CompositeIdList.optional(),
    /** Per-model fallbacks, keyed by wire model id; tried before the provider's own. */
    modelFallbacks: z.record(z.string().min(1).max(256), CompositeIdList).optional(),
  })
  .superRefine((provider, ctx) => {
    // A VPC binding reaches the host inside the tunnel, so its URL only names scheme, host and path.
    if (provider.transport.type === "vpc") return;
    for (const field of ["baseUrl", "sidecarUrl"] as const) {
      const value = provider[field];
      if (value !== undefined && isPublicPlainHttp(value)) ctx.addIssue({ code: "custom", path: [field], message: PLAIN_HTTP_RULE });
    }
  });
export type Provider = z.infer<typeof Provider>;
export type ProviderInput = z.input<typeof Provider>;

/**
 * A pool: one model id served by several members (`sam-desktop/qwen3-32b`, `garage/qwen3-32b`,
 * `deepseek/deepseek-chat`), listed in the operator's order of preference. It has no host of its own;
 * each request goes to the member that has the model loaded (src/pools/, docs/pools.md).
 */
export const Pool = z.strictObject({
  id: z.string().regex(PROVIDER_ID, "must be 1 to 32 lowercase letters, digits or '-'"),
  label: z.string().min(1).max(80),
  kind: z.literal("pool"),
  /** Pool model id → member composite ids, in the operator's order of preference. */
  members: z.record(z.string().min(1).max(256), CompositeIdList.min(1)).default({}),
  /** Every wire id that two or more enabled llama-swap providers list also becomes `<pool>/<wire id>`. */
  unify: z.boolean().default(false),
  /** Nothing warm: `wait` for the first llama-swap member to load, or `fallback` to a hosted member. */
  cold: z.enum(["wait", "fallback"]).default("wait"),
  /** Requests one member takes at once (per isolate) before the next warm member is preferred. */
  maxInFlight: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().default(true),
});
export type Pool = z.infer<typeof Pool>;
export type PoolInput = z.input<typeof Pool>;

const RegistryEntry = z.discriminatedUnion("kind", [Provider, Pool]);
export type RegistryEntry = z.infer<typeof RegistryEntry>;

export const isPool = (entry: RegistryEntry): entry is Pool => entry.kind === "pool";

export const RegistryDocument = z
  .strictObject({
    /** Where legacy bare ids (`qwen3-32b`) go. */
    defaultProvider: z.string().regex(PROVIDER_ID).optional(),
    providers: z.array(RegistryEntry).max(100),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.providers.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: "custom", path: ["providers", i, "id"], message: `duplicate provider id '${p.id}'` });
      seen.add(p.id);
    });
    if (doc.defaultProvider !== undefined && !seen.has(doc.defaultProvider)) {
      ctx.addIssue({ code: "custom", path: ["defaultProvider"], message: `names no provider in the list ('${doc.defaultProvider}')` });
    }
    const pools = new Set(doc.providers.filter(isPool).map((p) => p.id));
    if (doc.defaultProvider !== undefined && pools.has(doc.defaultProvider)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultProvider"],
        message: `names the pool '${doc.defaultProvider}'; bare ids go to a provider with a host`,
      });
    }
    doc.providers.forEach((p, i) => {
      if (!isPool(p)) return;
      for (const [model, members] of Object.entries(p.members)) {
        members.forEach((member, j) => {
          const prefix = member.includes("/") ? member.slice(0, member.indexOf("/")) : "";
          const path = ["providers", i, "members", model, j];
          if (pools.has(prefix)) ctx.addIssue({ code: "custom", path, message: `names the pool '${prefix}'; a pool cannot be a member` });
          else if (!seen.has(prefix) || member.length === prefix.length + 1) {
            ctx.addIssue({
              code: "custom",
              path,
              message: "must be a composite id 'provider/model' naming another provider of the registry",
            });
          }
        });
      }
    });
  });
export type RegistryDocument = z.infer<typeof RegistryDocument>;

/** `providers[1].baseUrl: must use https ...`, one line per problem: field paths, never values. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`)).join("");
    return `${path || "(root)"}: ${issue.message}`;
  });
}

export type RegistryCheck = { ok: true; registry: RegistryDocument } | { ok: false; problems: string[] };

export function checkRegistry(input: unknown): RegistryCheck {
  const parsed = RegistryDocument.safeParse(input);
  return parsed.success ? { ok: true, registry: parsed.data } : { ok: false, problems: describeIssues(parsed.error) };
}
