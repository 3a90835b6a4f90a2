// Compiles the JSON scanner's WebAssembly text (src/inference/json-scan.wat) into the binary the Worker
// imports (json-scan.wasm, committed so that a clone runs without a build step). `npm run build:wasm`
// after editing the .wat; a test fails while the two differ.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabt from "wabt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SCANNER_TEXT = join(root, "src/inference/json-scan.wat");
export const SCANNER_BINARY = join(root, "src/inference/json-scan.wasm");

export async function compileScanner(): Promise<Uint8Array> {
  const tools = await wabt();
  const module = tools.parseWat(SCANNER_TEXT, readFileSync(SCANNER_TEXT, "utf8"), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const binary = await compileScanner();
  writeFileSync(SCANNER_BINARY, binary);
  console.log(`${SCANNER_BINARY}: ${binary.byteLength} bytes`);
}
