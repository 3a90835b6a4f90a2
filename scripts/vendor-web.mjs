// Copies the browser builds the web page uses from node_modules into public/vendor/ (gitignored), so
// the page loads them from its own origin: the CSP allows nothing else. Runs as `postinstall`, so
// `npm ci` / `npm install` leave a tree that `npm start`, `npm test` and `wrangler deploy` can serve.
// Versions come from package-lock.json like any other dependency.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const out = join(root, "public", "vendor");

// A small set of languages people paste most; anything else is shown as plain monospace text.
const LANGUAGES = [
  "bash",
  "c",
  "cpp",
  "csharp",
  "css",
  "diff",
  "go",
  "java",
  "javascript",
  "json",
  "markdown",
  "python",
  "rust",
  "shell",
  "sql",
  "typescript",
  "xml",
  "yaml",
];

const files = [
  ["marked/lib/marked.esm.js", "marked.js"],
  ["dompurify/dist/purify.es.mjs", "purify.js"],
  ["@highlightjs/cdn-assets/es/core.min.js", "hljs/core.js"],
  ["@highlightjs/cdn-assets/styles/github.min.css", "hljs/light.css"],
  ["@highlightjs/cdn-assets/styles/github-dark.min.css", "hljs/dark.css"],
  ...LANGUAGES.map((name) => [`@highlightjs/cdn-assets/es/languages/${name}.min.js`, `hljs/${name}.js`]),
];

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "hljs"), { recursive: true });
for (const [from, to] of files) copyFileSync(join(modules, from), join(out, to));
console.log(`vendor-web: copied ${files.length} files into public/vendor/`);
