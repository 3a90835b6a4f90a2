// The operator CLI: `npx llama-edge <command>`. Local state is the same one `npm start` serves.
import { parseArgs } from "node:util";
import { createCommand, listCommand, revokeCommand } from "./keys.ts";
import { doctorCommand } from "./doctor.ts";
import { checkCommand, pushCommand } from "./providers.ts";
import { listSecretsCommand, setSecretCommand } from "./secrets.ts";
import type { KvTarget } from "./wrangler.ts";

const USAGE = `llama-edge: operator commands

  llama-edge providers check FILE                 validate a registry file
  llama-edge providers push [FILE]                validate, then write it to KV (default FILE: providers.json)
  llama-edge keys create USER [--label TEXT]      create an API key; the key is the last line printed
  llama-edge keys list                            list key ids, users, labels, creation times
  llama-edge keys revoke KEY_ID                   revoke a key
  llama-edge secrets set NAME                     set a secret; the value from stdin or a hidden prompt, never argv
  llama-edge secrets list                         secret names (never values)
  llama-edge doctor [--url URL]                   check every provider from the router; one line each, exit 1 on a problem

Options:
  --local              the local state that \`npm start\` uses (default): local KV, .dev.vars, http://127.0.0.1:$PORT
  --remote             your Cloudflare account (after \`wrangler login\`); doctor --remote needs --url or LLAMA_EDGE_URL
  --persist-to DIR     with --local: another local state folder
  --url URL            doctor: the router to ask (its ADMIN_TOKEN from the environment)`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        local: { type: "boolean" },
        remote: { type: "boolean" },
        "persist-to": { type: "string" },
        label: { type: "string" },
        url: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, command, arg] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.local && values.remote) {
    console.error("--local and --remote exclude each other");
    return 2;
  }
  const target: KvTarget = { remote: values.remote === true, persistTo: values["persist-to"] };

  if (group === "providers" && command === "check" && arg) return checkCommand(arg);
  if (group === "providers" && command === "push") return pushCommand(arg ?? "providers.json", target);
  if (group === "keys" && command === "create" && arg) return createCommand(arg, values.label ?? "", target);
  if (group === "keys" && command === "list") return listCommand(target);
  if (group === "keys" && command === "revoke" && arg) return revokeCommand(arg, target);
  if (group === "secrets" && command === "set" && arg) return setSecretCommand(arg, target.remote);
  if (group === "secrets" && command === "list") return listSecretsCommand(target.remote);
  if (group === "doctor" && !command) return doctorCommand({ url: values.url, remote: target.remote });
  console.error(`unknown or incomplete command: ${positionals.join(" ")}\n\n${USAGE}`);
  return 2;
}
