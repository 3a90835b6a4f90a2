// `llama-edge providers check|push`: validate a registry file with the Worker's own schema, then write
// it to KV under the key the Worker reads.
import { readFile } from "node:fs/promises";
import { checkRegistry, type RegistryDocument } from "../src/registry/schema.ts";
import { kvPut, type KvTarget } from "./wrangler.ts";

const REGISTRY_KEY = "registry"; // the same key as src/registry/loader.ts (that file needs Worker types)

export async function readRegistryFile(file: string): Promise<{ ok: true; registry: RegistryDocument } | { ok: false; problems: string[] }> {
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
    (p) => `  ${p.id === registry.defaultProvider ? "*" : " "} ${p.id.padEnd(20)} ${p.kind.padEnd(10)} ${p.enabled ? "" : "(disabled) "}${p.kind === "pool" ? Object.keys(p.members).join(", ") : p.baseUrl}`,
  );
  return [`${registry.providers.length} provider(s); * marks the default for bare model ids`, ...lines].join("\n");
}

export async function checkCommand(file: string): Promise<number> {
  const result = await readRegistryFile(file);
  if (!result.ok) {
    console.error(`${file}: invalid\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
    return 1;
  }
  console.log(`${file}: valid\n${summary(result.registry)}`);
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
