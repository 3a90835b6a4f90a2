// `llama-edge providers check|push`: validate a registry file with the Worker's own schema, then write
// it to KV under the key the Worker reads.
import { readFile } from "node:fs/promises";
import { registryWarnings, secretNames } from "../src/doctor/registry-warnings.ts";
import { checkRegistry, type RegistryDocument } from "../src/registry/schema.ts";
import { DEV_VARS, readDevVars } from "./dev-vars.ts";
import { kvPut, type KvTarget } from "./wrangler.ts";

const REGISTRY_KEY = "registry"; // the same key as src/registry/loader.ts (that file needs Worker types)

export async function readRegistryFile(
  file: string,
): Promise<{ ok: true; registry: RegistryDocument } | { ok: false; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return { ok: false, problems: [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`${file} is not valid JSON: ${(error as Error).message}`] };
  }
  return checkRegistry(json);
}

function summary(registry: RegistryDocument): string {
  const lines = registry.providers.map(
    (p) =>
      `  ${p.id === registry.defaultProvider ? "*" : " "} ${p.id.padEnd(20)} ${p.kind.padEnd(10)} ${p.enabled ? "" : "(disabled) "}${p.kind === "pool" ? Object.keys(p.members).join(", ") : p.baseUrl}`,
  );
  return [`${registry.providers.length} provider(s); * marks the default for bare model ids`, ...lines].join("\n");
}

/**
 * What can be wrong without calling a host. A secret missing from .dev.vars is only a warning: deployed
 * secrets live in Cloudflare, which this offline check cannot see.
 */
async function offlineWarnings(registry: RegistryDocument): Promise<string[]> {
  const port = process.env.PORT ?? "8787";
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const lines = registryWarnings(registry, own).map((w) => `${w.provider}: ${w.message}`);
  const local = await readDevVars();
  for (const provider of registry.providers) {
    if (!provider.enabled || provider.kind === "pool") continue;
    for (const name of secretNames(provider)) {
      if (!(name in local))
        lines.push(
          `${provider.id}: the secret ${name} is not in ${DEV_VARS} (fine if it is set deployed): npx llama-edge secrets set ${name} --local`,
        );
    }
  }
  return lines;
}

export async function checkCommand(file: string): Promise<number> {
  const result = await readRegistryFile(file);
  if (!result.ok) {
    console.error(`${file}: invalid\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
    return 1;
  }
  console.log(`${file}: valid\n${summary(result.registry)}`);
  const warnings = await offlineWarnings(result.registry);
  if (warnings.length > 0) console.log(`${warnings.length} warning(s):\n${warnings.map((w) => `  - ${w}`).join("\n")}`);
  return 0;
}

export async function pushCommand(file: string, target: KvTarget): Promise<number> {
  const result = await readRegistryFile(file);
  if (!result.ok) {
    console.error(`${file}: invalid, nothing written\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
    return 1;
  }
  await kvPut(REGISTRY_KEY, JSON.stringify(result.registry), target);
  console.log(`${file}: written to ${target.remote ? "Cloudflare (remote)" : "local"} KV\n${summary(result.registry)}`);
  return 0;
}
