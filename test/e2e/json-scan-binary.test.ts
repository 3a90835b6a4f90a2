// The Worker imports the committed json-scan.wasm, not its text: an edit to json-scan.wat that was not
// rebuilt (`npm run build:wasm`) would leave the router running the old scan.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { compileScanner, SCANNER_BINARY } from "../../scripts/build-wasm.ts";

it("json-scan.wasm is what json-scan.wat compiles to", async () => {
  expect(Buffer.from(await compileScanner()).equals(readFileSync(SCANNER_BINARY))).toBe(true);
});
