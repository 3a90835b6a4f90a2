// Finding the router's own credentials in text a host sent back. A host that echoes the request (a
// debugging proxy, a misconfigured llama-server) may return a credential as sent, base64-encoded (Basic
// auth, JWT-style payloads) or percent-encoded; each form counts as the credential itself.

function encodings(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret)];
  try {
    const b64 = btoa(secret);
    const unpadded = b64.replace(/=+$/, "");
    forms.push(unpadded, unpadded.replace(/\+/g, "-").replace(/\//g, "_"));
  } catch {
    // Not Latin-1: it cannot have been sent as a header value either.
  }
  return forms;
}

/** Does `text` hold any of these credentials, in any of the forms above? Short values (under 8) are never matched: they would match everywhere. */
export function mentionsCredential(text: string, credentials: readonly string[]): boolean {
  return credentials.some((secret) => secret.length >= 8 && encodings(secret).some((form) => text.includes(form)));
}
