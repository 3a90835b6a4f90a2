// Reads a text/event-stream body as events. Comments matter here: the router sends `: loading <id>`
// while a host is still loading the model, and the page shows that instead of a silent wait.

function parse(block) {
  const comments = [];
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) comments.push(line.slice(1).trim());
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return { comments, data: data.length ? data.join("\n") : undefined };
}

/** Yields `{ comments, data }` per event; `data` is undefined for an event of comments only. */
export async function* sseEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = /\r?\n\r?\n/.exec(buffer))) {
        yield parse(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
      }
    }
    if (buffer.trim()) yield parse(buffer);
  } finally {
    reader.cancel().catch(() => {});
  }
}
