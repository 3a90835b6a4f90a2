// Constant-time comparison for secrets (key hashes, the admin token), so response timing reveals
// nothing about how much of a guess was right. Unequal lengths return early: lengths are not secret.
const encoder = new TextEncoder();

export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}
