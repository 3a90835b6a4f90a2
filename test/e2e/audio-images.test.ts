// The openai SDK's audio and image calls through the Worker under wrangler, to llama-swap test hosts on
// real sockets: uploads and binary answers must arrive byte-identical. Written against issue 14's final
// behaviour;
import { createHash } from "node:crypto";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, speechBytes, type LlamaSwapDouble, type UploadEcho } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const deterministic = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 2654435761) >>> 24);

describe("audio and images through the openai SDK", () => {
  let router: RunningRouter;
  let media: LlamaSwapDouble;
  let mediaHost: NodeHost;
  let client: OpenAI;

  beforeAll(async () => {
    media = llamaSwapDouble({ name: "media", models: ["whisper-large", "kokoro", "sd-turbo"], speechSize: 300 * 1024 });
    mediaHost = await serveNode(media.handle);
    router = await startRouter({
      registry: { providers: [{ id: "media-box", label: "Media", kind: "llama-swap", baseUrl: mediaHost.url }] },
    });
    client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: router.keys.alice, maxRetries: 0 });
  });

  afterAll(async () => {
    await router?.stop();
    await mediaHost?.stop();
  });

  const last = (path: string) => media.requests.filter((r) => r.path === path).at(-1);

  it("transcribes an uploaded file: the host gets its own model id and the file's exact bytes", async () => {
    const audio = deterministic(200 * 1024);
    const result = await client.audio.transcriptions.create({
      file: await toFile(audio, "hello.wav", { type: "audio/wav" }),
      model: "media-box/whisper-large",
    });
    expect(result.text).toBe(`media transcribed ${audio.length} bytes with whisper-large`);
    const files = (result as unknown as { files: UploadEcho[] }).files;
    expect(files).toEqual([{ field: "file", filename: "hello.wav", size: audio.length, sha256: sha256(audio) }]);
    const seen = last("/v1/audio/transcriptions");
    expect(seen?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen?.body).toContain("whisper-large");
    expect(seen?.body).not.toContain("media-box/whisper-large");
    // The length the client declared, minus the composite id's prefix: the host need not accept a chunked upload.
    expect(seen?.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(seen?.headers["content-length"])).toBe(seen?.bytes.length);
  });

  it("a 25 MiB upload whose model part comes after the file arrives byte-identical", async () => {
    const audio = deterministic(25 * 1024 * 1024);
    // The SDK writes form fields in the order of the params object: file first, model last.
    const result = await client.audio.transcriptions.create({ file: await toFile(audio, "long.wav"), model: "media-box/whisper-large" });
    const files = (result as unknown as { files: UploadEcho[] }).files;
    expect(files[0]).toMatchObject({ size: audio.length, sha256: sha256(audio) });
    // The model part really was after the file on the wire.
    const wire = Buffer.from(last("/v1/audio/transcriptions")!.bytes);
    expect(wire.indexOf('name="model"')).toBeGreaterThan(wire.indexOf('name="file"'));
  }, 120_000);

  it("a chunked upload (no Content-Length) streams through to the host whole", async () => {
    const audio = deterministic(3 * 1024 * 1024);
    const form = new FormData();
    form.set("model", "media-box/whisper-large");
    form.set("file", new Blob([audio]), "chunked.wav");
    const encoded = new Response(form);
    const contentType = encoded.headers.get("content-type") ?? "";
    const source = encoded.body as ReadableStream<Uint8Array>;
    const res = await fetch(`${router.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${router.keys.alice}`, "content-type": contentType },
      body: source,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    const files = ((await res.json()) as { files: UploadEcho[] }).files;
    expect(files[0]).toMatchObject({ filename: "chunked.wav", size: audio.length, sha256: sha256(audio) });
  });

  it("an upload over the limit (MAX_UPLOAD_MIB) is a 413 before any byte reaches a host", async () => {
    const before = media.requests.length;
    const res = await fetch(`${router.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${router.keys.alice}`, "content-type": "multipart/form-data; boundary=x" },
      body: new Uint8Array(101 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
    expect(media.requests.length).toBe(before);
  }, 60_000);

  it("speech comes back as the host's exact bytes", async () => {
    const response = await client.audio.speech.create({ model: "media-box/kokoro", voice: "alloy", input: "Hello from the garage" });
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.headers.get("content-type")).toBe("audio/mpeg");
    expect(Buffer.from(bytes).equals(Buffer.from(speechBytes("kokoro", "alloy", "Hello from the garage", 300 * 1024)))).toBe(true);
  });

  it("generates an image", async () => {
    const result = await client.images.generate({ model: "media-box/sd-turbo", prompt: "a llama at the edge", n: 2 });
    expect(result.data).toHaveLength(2);
    const expected = Buffer.from(speechBytes("sd-turbo", "image 0", "a llama at the edge", 256)).toString("base64");
    expect(result.data?.[0]?.b64_json).toBe(expected);
    expect(JSON.parse(last("/v1/images/generations")?.body ?? "{}").model).toBe("sd-turbo");
  });

  it("edits an image uploaded as multipart", async () => {
    const image = deterministic(64 * 1024);
    const result = await client.images.edit({
      model: "media-box/sd-turbo",
      prompt: "add a hat",
      image: await toFile(image, "llama.png", { type: "image/png" }),
    });
    expect(result.data).toHaveLength(1);
    const files = (result as unknown as { files: UploadEcho[] }).files;
    expect(files[0]).toMatchObject({ filename: "llama.png", size: image.length, sha256: sha256(image) });
  });

  it("lists voices by ?model= and by a JSON body, each rewritten to the host's id", async () => {
    const auth = { authorization: `Bearer ${router.keys.alice}` };
    const byQuery = await fetch(`${router.url}/v1/audio/voices?model=${encodeURIComponent("media-box/kokoro")}`, { headers: auth });
    expect(byQuery.status).toBe(200);
    expect(((await byQuery.json()) as { model: string }).model).toBe("kokoro");
    expect(last("/v1/audio/voices")?.search).toBe("?model=kokoro");
    const byBody = await fetch(`${router.url}/v1/audio/voices`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ model: "media-box/kokoro" }),
    });
    expect(((await byBody.json()) as { model: string }).model).toBe("kokoro");
  });

  it("a multipart body without a boundary is a 400 and reaches no host", async () => {
    const before = media.requests.length;
    const res = await fetch(`${router.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${router.keys.alice}`, "content-type": "multipart/form-data" },
      body: "model=x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("missing_boundary");
    expect(media.requests.length).toBe(before);
  });
});
