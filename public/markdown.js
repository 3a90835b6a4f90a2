// Model replies as rendered Markdown, safely. marked parses (GitHub-flavoured: tables, lists, fenced
// code), DOMPurify sanitizes what it produced, highlight.js colours code in a few languages. All three
// are npm packages copied into /vendor/ at install (scripts/vendor-web.mjs): nothing from other origins.
// Safety, in layers: raw HTML in the Markdown is shown as text, never parsed; images are never loaded
// (a reply could make the browser fetch any URL), they become links; links keep only http(s) and
// mailto targets and open without a referrer or a handle on this page. DOMPurify then removes anything
// else that could run, whatever marked produced.
import { Marked } from "/vendor/marked.js";
import DOMPurify from "/vendor/purify.js";
import hljs from "/vendor/hljs/core.js";
import bash from "/vendor/hljs/bash.js";
import c from "/vendor/hljs/c.js";
import cpp from "/vendor/hljs/cpp.js";
import csharp from "/vendor/hljs/csharp.js";
import css from "/vendor/hljs/css.js";
import diff from "/vendor/hljs/diff.js";
import go from "/vendor/hljs/go.js";
import java from "/vendor/hljs/java.js";
import javascript from "/vendor/hljs/javascript.js";
import json from "/vendor/hljs/json.js";
import markdown from "/vendor/hljs/markdown.js";
import python from "/vendor/hljs/python.js";
import rust from "/vendor/hljs/rust.js";
import shell from "/vendor/hljs/shell.js";
import sql from "/vendor/hljs/sql.js";
import typescript from "/vendor/hljs/typescript.js";
import xml from "/vendor/hljs/xml.js";
import yaml from "/vendor/hljs/yaml.js";
import { el } from "./dom.js";

const languages = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  go,
  java,
  javascript,
  json,
  markdown,
  python,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
};
for (const [name, grammar] of Object.entries(languages)) hljs.registerLanguage(name, grammar);

const SAFE_URL = /^(?:https?:|mailto:)/i;
const escape = (text) => String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // Raw HTML in a reply is text: a model quoting `<script>` means the characters, not a script.
    html: ({ text }) => escape(text),
    image: ({ href, text }) => (SAFE_URL.test(href ?? "") ? `<a href="${escape(href)}">${escape(text || "image")}</a>` : escape(text)),
    link({ href, tokens }) {
      const label = this.parser.parseInline(tokens);
      return SAFE_URL.test(href ?? "") ? `<a href="${escape(href)}">${label}</a>` : label;
    },
    code: ({ text, lang }) => {
      const language = (lang ?? "").trim().split(/\s+/)[0].toLowerCase();
      return `<pre><code${language ? ` class="language-${escape(language)}" data-lang="${escape(language)}"` : ""}>${escape(text)}</code></pre>`;
    },
  },
});

const PURIFY = {
  ALLOWED_TAGS: [
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
  ],
  ALLOWED_ATTR: ["href", "class", "data-lang", "start", "align"],
  ALLOWED_URI_REGEXP: SAFE_URL,
  RETURN_DOM_FRAGMENT: true,
};

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("rel", "noopener noreferrer");
    node.setAttribute("target", "_blank");
  }
});

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

export const copyButton = (getText, label = "Copy") =>
  el("button", { type: "button", class: "quiet copy", onclick: (event) => copyText(getText(), event.currentTarget) }, label);

/** Sanitized elements for a Markdown text; code blocks get a header with the language and a Copy button. */
export function renderMarkdown(text) {
  const fragment = DOMPurify.sanitize(marked.parse(text), PURIFY);
  for (const pre of fragment.querySelectorAll("pre")) {
    const code = pre.querySelector("code");
    const block = el(
      "div",
      { class: "code-block" },
      el(
        "div",
        { class: "code-head" },
        el("span", { class: "meta" }, code?.dataset.lang ?? ""),
        copyButton(() => code?.textContent ?? ""),
      ),
    );
    pre.replaceWith(block);
    block.append(pre);
  }
  return fragment;
}

/** Colours the code blocks under `root` (once the text is final: highlighting is the costly part). */
export function highlightCode(root) {
  for (const code of root.querySelectorAll("pre code[data-lang]")) {
    if (hljs.getLanguage(code.dataset.lang)) hljs.highlightElement(code);
  }
}
