// A fresh clone of this project in a temp folder (the tracked and new files, node_modules linked, no
// .dev.vars, no providers.json, no local state), and helpers to run its npm start and CLI as a newcomer
// would. Each test gets its own copy, so nothing it does touches the working tree.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const root = join(import.meta.dirname, "../..");
const exec = promisify(execFile);

export async function freshClone(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "llama-edge-clone-"));
  const { stdout } = await exec("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  for (const file of stdout.split("\0").filter((f) => f && !f.startsWith("bench/") && !f.startsWith("test/"))) {
    await mkdir(join(dir, dirname(file)), { recursive: true });
    await cp(join(root, file), join(dir, file)).catch(() => {}); // a file deleted but not yet committed
  }
  await symlink(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Started {
  child: ChildProcess;
  output(): string;
  /** Resolves with the output so far once `text` appears; rejects if the process exits first. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Runs a script of the clone (`cli/start.ts`) with Node, as its npm script does. */
export function startScript(dir: string, script: string, env: Record<string, string> = {}): Started {
  return startIn(dir, process.execPath, [join(dir, script)], env);
}

/** Runs any command in the clone, its stdout and stderr collected as one output. */
export function startIn(dir: string, command: string, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const matches = (text: string | RegExp) => (typeof text === "string" ? output.includes(text) : text.test(output));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (text, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (matches(text)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(output);
          }
        };
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}:\n${output}`)), timeoutMs);
        listeners.add(check);
        void exited.then((code) => {
          if (!matches(text)) reject(new Error(`exited (${code}) before ${String(text)}:\n${output}`));
        });
        check();
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

/** Runs `npx llama-edge ...` in `dir`, optionally with stdin. */
export function cliIn(
  dir: string,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, "bin/llama-edge.mjs"), ...args], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input ?? "");
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
