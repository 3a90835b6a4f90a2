// `llama-edge secrets set NAME [--local|--remote]` and `secrets list`. The value comes from stdin
// (piped) or a hidden prompt, never from argv, so it stays out of shell history and `ps`. --local
// writes .dev.vars, which a running `npm start` re-binds by itself; --remote runs `wrangler secret put`.
import { readDevVars, setDevVar, DEV_VARS } from "./dev-vars.ts";
import { runWrangler } from "./wrangler.ts";

const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const done = (result: string | Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n") return done(value);
        if (char === "\u0003") return done(new Error("cancelled"));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}

export async function setSecretCommand(name: string, remote: boolean): Promise<number> {
  if (!SECRET_NAME.test(name)) {
    console.error(
      `'${name}' is not a secret NAME: use capitals, digits and '_' (like SAM_ACCESS_ID). The value is read from stdin or a prompt, never from the command line.`,
    );
    return 2;
  }
  const value = process.stdin.isTTY ? await promptHidden(`Value for ${name} (input hidden): `) : await readStdin();
  if (value === "") {
    console.error(
      `No value given for ${name}: pipe it in (printf %s "$VALUE" | npx llama-edge secrets set ${name}) or type it at the prompt.`,
    );
    return 1;
  }
  if (remote) {
    const result = await runWrangler(["secret", "put", name], { input: value });
    if (result.code !== 0) {
      console.error(`wrangler secret put ${name} failed (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
      return 1;
    }
    console.log(`Set ${name} as a Worker secret on Cloudflare (remote); the deployed Worker uses it at once.`);
    return 0;
  }
  try {
    const how = await setDevVar(name, value);
    console.log(
      `${how === "added" ? "Saved" : "Replaced"} ${name} in ${DEV_VARS} (local). A running npm start re-binds it within a second or two; no restart needed.`,
    );
    return 0;
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    return 1;
  }
}

export async function listSecretsCommand(remote: boolean): Promise<number> {
  if (remote) {
    const result = await runWrangler(["secret", "list", "--format", "json"]);
    if (result.code !== 0) {
      console.error(`wrangler secret list failed (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
      return 1;
    }
    const start = result.stdout.indexOf("[");
    const names = start === -1 ? [] : (JSON.parse(result.stdout.slice(start)) as { name: string }[]).map((s) => s.name);
    console.log(names.length ? names.join("\n") : "No Worker secrets.");
    return 0;
  }
  const names = Object.keys(await readDevVars());
  console.log(names.length ? names.join("\n") : `No secrets in ${DEV_VARS}.`);
  return 0;
}
