// Constant-time comparison for secrets (key hashes, API keys, the admin token), so response timing
// reveals nothing about how much of a guess was right. Unequal lengths return early: lengths are not
// secret. It compares UTF-16 code units without allocating: every request compares its key (auth),
// and encoding both strings for crypto.subtle.timingSafeEqual cost more than the comparison itself.
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
