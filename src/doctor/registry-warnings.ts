// What can be seen wrong in a registry without calling any host: shared by `providers check` (offline,
// in Node) and the doctor endpoint (in the Worker). Warnings, not errors: each of these can be what the
// operator meant (a loopback host under `npm start`), so they are said, never refused.
import { isLocalHost, isPrivateHost, type Provider, type RegistryDocument } from "../registry/schema.ts";

export interface RegistryWarning {
  provider: string;
  code: "trailing_v1" | "plain_http" | "metadata_address" | "loopback" | "own_origin" | "fallback_unknown";
  message: string;
}

// Cloud instance-metadata endpoints: a registry pointing there is a mistake or an attempt to read them.
const METADATA_HOSTS = new Set(["169.254.169.254", "[fd00:ec2::254]", "metadata.google.internal", "100.100.100.200", "metadata"]);
const isMetadataHost = (hostname: string) => METADATA_HOSTS.has(hostname) || hostname.startsWith("169.254.");
const isLoopback = (hostname: string) =>
  isLocalHost(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname.endsWith(".localhost");

/** The NAMES of the Worker secrets a provider's auth needs. */
export function secretNames(provider: Provider): string[] {
  const methods = Array.isArray(provider.auth) ? provider.auth : [provider.auth];
  return methods.flatMap((m) => (m.type === "access" ? [m.clientIdSecret, m.clientSecretSecret] : m.type === "bearer" ? [m.secret] : []));
}

function urlWarnings(provider: Provider, field: "baseUrl" | "sidecarUrl", value: string, ownOrigins: readonly string[]): RegistryWarning[] {
  const warn = (code: RegistryWarning["code"], message: string): RegistryWarning => ({
    provider: provider.id,
    code,
    message: `${field} ${message}`,
  });
  const url = new URL(value);
  const out: RegistryWarning[] = [];
  if (provider.kind === "llama-swap" && /\/v1$/.test(url.pathname)) {
    out.push(
      warn(
        "trailing_v1",
        `ends in /v1, but the router adds /v1 itself for llama-swap hosts (it would call ${url.pathname}/v1/models): remove the /v1`,
      ),
    );
  }
  if (isMetadataHost(url.hostname))
    out.push(warn("metadata_address", `is a cloud metadata address (${url.hostname}), never a model host: fix the URL`));
  else if (ownOrigins.some((o) => new URL(o).host === url.host))
    out.push(warn("own_origin", `is the router's own address (${url.host}): requests would loop back into the router`));
  else if (isLoopback(url.hostname))
    out.push(
      warn(
        "loopback",
        `is a loopback address (${url.host}): only reachable while the router runs on this machine (npm start); a deployed Worker cannot reach it`,
      ),
    );
  if (url.protocol === "http:" && (isPrivateHost(url.hostname) || provider.transport.type === "vpc")) {
    out.push(warn("plain_http", "uses plain http: Access tokens and keys travel unencrypted on that network; prefer https or a tunnel"));
  }
  return out;
}

function fallbackWarnings(provider: Provider, doc: RegistryDocument, ids: Set<string>): RegistryWarning[] {
  const lists: [string, string[]][] = [
    ["fallbacks", provider.fallbacks ?? []],
    ...Object.entries(provider.modelFallbacks ?? {}).map(([model, list]) => [`modelFallbacks["${model}"]`, list] as [string, string[]]),
  ];
  const out: RegistryWarning[] = [];
  for (const [where, list] of lists) {
    for (const id of list) {
      const slash = id.indexOf("/");
      const target = slash > 0 ? id.slice(0, slash) : doc.defaultProvider;
      if (target === undefined || !ids.has(target)) {
        out.push({
          provider: provider.id,
          code: "fallback_unknown",
          message: `${where} names '${id}', but no provider '${target ?? id}' is in the registry: it would never be tried`,
        });
      }
    }
  }
  return out;
}

/** `ownOrigins`: where the router itself answers (its deployed URL, `http://127.0.0.1:8787` locally). */
export function registryWarnings(doc: RegistryDocument, ownOrigins: readonly string[] = []): RegistryWarning[] {
  const ids = new Set(doc.providers.map((p) => p.id));
  // Pools have no URL or fallbacks of their own; their members are checked as the providers they are.
  return doc.providers.flatMap((p) =>
    p.kind === "pool"
      ? []
      : [
          ...urlWarnings(p, "baseUrl", p.baseUrl, ownOrigins),
          ...(p.sidecarUrl ? urlWarnings(p, "sidecarUrl", p.sidecarUrl, ownOrigins) : []),
          ...fallbackWarnings(p, doc, ids),
        ],
  );
}
