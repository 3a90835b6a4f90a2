// The router's admin API, as the bench uses it: write the registry and create a key (ADMIN_TOKEN).
import type { ProviderInput } from "../src/registry/schema.ts";

export interface RegistryInput {
  defaultProvider?: string;
  providers: ProviderInput[];
}

async function admin(url: string, token: string, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function putRegistry(url: string, token: string, registry: RegistryInput): Promise<void> {
  await admin(url, token, "PUT", "/admin/providers", registry);
}

export async function createKey(url: string, token: string, user: string): Promise<string> {
  return ((await admin(url, token, "POST", "/admin/keys", { user, label: "npm run bench" })) as { key: string }).key;
}
