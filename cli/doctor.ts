// `llama-edge doctor [--local|--remote|--url URL]`: asks the router's GET /admin/doctor, which checks
// every provider FROM the Worker (its secrets, transport and URLs), and prints one line per provider:
// ok, or the problem and its fix. Exit 1 when any provider has a problem or the router cannot be asked.
import { readDevVars } from "./dev-vars.ts";

interface Report {
  id: string;
  kind: string;
  ok: boolean | null;
  reason: string;
  message?: string;
  fix?: string;
  latency_ms: number | null;
  models: number | null;
  loaded: string[];
  generation?: string;
  lists_status?: boolean;
  props?: string;
  warnings: { code: string; message: string }[];
}

const GENERATIONS: Record<string, string> = {
  v217: "llama-swap v200-style (up to v217)",
  v250: "llama-swap v218-style (v218 to v250)",
  main: "llama-swap current (main)",
  unknown: "llama-swap generation unknown",
};
const PROPS: Record<string, string> = {
  protected: "/props protected by upstream.ignorePaths",
  readable: '/props answers for loaded models (add upstream.ignorePaths ["^/props$"] so unloaded ones answer 409, not a load)',
  not_served: "no /props on this host (llama-swap before v234, or not llama-swap)",
  unknown: "/props protection unknown (no model loaded to ask safely)",
};

function describeOk(r: Report): string {
  const parts = [`${r.models} model${r.models === 1 ? "" : "s"}, ${r.loaded.length} loaded`];
  if (r.generation) parts.push(GENERATIONS[r.generation] ?? r.generation);
  if (r.kind === "llama-swap" && r.lists_status !== undefined)
    parts.push(r.lists_status ? "lists status" : "no status in its list (asks /running)");
  if (r.props) parts.push(PROPS[r.props] ?? r.props);
  if (r.latency_ms !== null) parts.push(`${r.latency_ms} ms`);
  return parts.join("; ");
}

export interface DoctorTarget {
  url?: string;
  remote: boolean;
}

async function resolveTarget(target: DoctorTarget): Promise<{ url: string; token: string } | string> {
  const url = target.url ?? (target.remote ? process.env.LLAMA_EDGE_URL : `http://127.0.0.1:${process.env.PORT ?? "8787"}`);
  if (!url) return "--remote needs the deployed router's address: --url https://llama-edge.<subdomain>.workers.dev (or LLAMA_EDGE_URL)";
  const local = !target.remote && !target.url;
  const token =
    process.env.ADMIN_TOKEN ??
    (local || /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url) ? (await readDevVars()).ADMIN_TOKEN : undefined);
  if (!token)
    return `no admin token: set ADMIN_TOKEN in the environment${local ? " (or run npm start once, which writes it to .dev.vars)" : ""}`;
  return { url: url.replace(/\/+$/, ""), token };
}

export async function doctorCommand(target: DoctorTarget): Promise<number> {
  const resolved = await resolveTarget(target);
  if (typeof resolved === "string") {
    console.error(resolved);
    return 2;
  }
  let res: Response;
  try {
    res = await fetch(`${resolved.url}/admin/doctor`, {
      headers: { authorization: `Bearer ${resolved.token}` },
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    console.error(
      `Nothing answers at ${resolved.url}${!target.url && !target.remote ? ": is npm start running? (PORT picks another port)" : ""}`,
    );
    return 1;
  }
  if (res.status === 401 || res.status === 403) {
    console.error(
      `${resolved.url} refused the admin token (HTTP ${res.status}): use the ADMIN_TOKEN the router has (.dev.vars locally, the Worker secret deployed).`,
    );
    return 1;
  }
  if (!res.ok) {
    console.error(`${resolved.url}/admin/doctor answered HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return 1;
  }
  const { providers } = (await res.json()) as { providers: Report[] };
  if (providers.length === 0) console.log("The registry has no providers: npx llama-edge providers push providers.json");
  const width = Math.max(8, ...providers.map((p) => p.id.length)) + 2;
  for (const r of providers) {
    if (r.ok === null) console.log(`off   ${r.id.padEnd(width)}disabled`);
    else if (r.ok) console.log(`ok    ${r.id.padEnd(width)}${describeOk(r)}`);
    else console.log(`FAIL  ${r.id.padEnd(width)}${r.reason}: ${r.message}\n      ${"".padEnd(width)}fix: ${r.fix}`);
    for (const w of r.warnings) console.log(`      ${"".padEnd(width)}warning: ${w.message}`);
  }
  const failed = providers.filter((p) => p.ok === false).length;
  console.log(
    failed === 0 ? `All ${providers.filter((p) => p.ok).length} enabled provider(s) ok.` : `${failed} provider(s) with a problem.`,
  );
  return failed === 0 ? 0 : 1;
}
