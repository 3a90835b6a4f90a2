// `npm start`: load the registry into local KV, make sure .dev.vars holds an ADMIN_TOKEN, then run the
// Worker with `wrangler dev` on 127.0.0.1:$PORT (default 8787) with local KV and Durable Object state.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import { pushCommand } from "./providers.ts";
import { runWrangler } from "./wrangler.ts";

async function ensureAdminToken(): Promise<void> {
  const current = existsSync(".dev.vars") ? await readFile(".dev.vars", "utf8") : "";
  if (/^ADMIN_TOKEN=\S{16,}/m.test(current)) {
    console.log("ADMIN_TOKEN: kept the one in .dev.vars");
    return;
  }
  const token = randomBytes(24).toString("base64url");
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  await appendFile(".dev.vars", `${separator}ADMIN_TOKEN=${token}\n`);
  console.log(`ADMIN_TOKEN: generated and saved in .dev.vars (for /admin/*): ${token}`);
}

async function start(): Promise<number> {
  const file = existsSync("providers.json") ? "providers.json" : "providers.example.json";
  if (file !== "providers.json") console.log("providers.json not found: loading providers.example.json (copy it to providers.json and edit)");
  const pushed = await pushCommand(file, { remote: false });
  if (pushed !== 0) return pushed;
  await ensureAdminToken();
  const port = process.env.PORT ?? "8787";
  console.log(`Starting llama-edge on http://127.0.0.1:${port} (create a key: npx llama-edge keys create alice)`);
  const result = await runWrangler(["dev", "--ip", "127.0.0.1", "--port", port], { inherit: true });
  return result.code;
}

process.exitCode = await start();
