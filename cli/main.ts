// The operator CLI: `npx llama-edge <command>`. Local state is the same one `npm start` serves.
import { parseArgs } from "node:util";
import { createCommand, listCommand, revokeCommand } from "./keys.ts";
import { checkCommand, pushCommand } from "./providers.ts";
import type { KvTarget } from "./wrangler.ts";

const USAGE = `llama-edge: operator commands

  llama-edge providers check FILE                 validate a registry file
  llama-edge providers push [FILE]                validate, then write it to KV (default FILE: providers.json)
  llama-edge keys create USER [--label TEXT]      create an API key; the key is the last line printed
  llama-edge keys list                            list key ids, users, labels, creation times
  llama-edge keys revoke KEY_ID                   revoke a key

Options for push and keys:
  --local              the local state that \`npm start\` uses (default)
  --remote             your Cloudflare account's KV namespace (after \`wrangler login\`)
  --persist-to DIR     with --local: another local state folder`;

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
  console.error(`unknown or incomplete command: ${positionals.join(" ")}\n\n${USAGE}`);
  return 2;
}
