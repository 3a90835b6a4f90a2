#!/usr/bin/env node
// Entry point for `npx llama-edge`. The CLI is TypeScript run by Node 22's type stripping (npm puts
// the project's Node 22 first on PATH); it shares the registry schema and key format with the Worker.
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  console.error(`llama-edge needs Node 22 or newer (this is ${process.version}); run it through npx or npm scripts.`);
  process.exit(1);
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
