// `.dev.vars`: the local stand-in for Worker secrets that `npm start` binds (and re-binds when the
// file changes). Read with Node's own dotenv parser; written one `NAME=value` line per secret, keeping
// every other line as it was. Values never appear in argv or in anything printed.
import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnv } from "node:util";

export const DEV_VARS = ".dev.vars";
/** Next to wrangler.toml, where `npm start` reads it, whichever folder the CLI runs from. */
export const DEV_VARS_PATH = join(import.meta.dirname, "..", DEV_VARS);

export async function readDevVars(file = DEV_VARS_PATH): Promise<Record<string, string>> {
  if (!existsSync(file)) return {};
  return parseEnv(await readFile(file, "utf8")) as Record<string, string>;
}

/** A value dotenv reads back unchanged: bare when plain, else quoted; undefined when no quoting can hold it. */
export function encodeDevVar(value: string): string | undefined {
  if (value.includes("\n") || value.includes("\r")) return undefined;
  if (/^[A-Za-z0-9_\-.:/+=@,~]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"') && !value.includes("\\")) return `"${value}"`;
  return undefined;
}

export async function setDevVar(name: string, value: string, file = DEV_VARS_PATH): Promise<"added" | "replaced"> {
  const current = existsSync(file) ? await readFile(file, "utf8") : "";
  const lines = current === "" ? [] : current.replace(/\n$/, "").split("\n");
  const encoded = encodeDevVar(value);
  if (encoded === undefined) throw new Error("this value (with a line break, or both quote kinds) cannot be stored in .dev.vars");
  const line = `${name}=${encoded}`;
  const at = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${name}\\s*=`).test(l));
  if (at === -1) lines.push(line);
  else lines[at] = line;
  await writeFile(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  await chmod(file, 0o600).catch(() => {});
  return at === -1 ? "added" : "replaced";
}
