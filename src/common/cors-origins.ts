/**
 * Whether a browser page from `origin` may call the API: `allowed` holds `*` (any origin), exact
 * origins (`https://app.example.com`), or origins whose port is `*` (`http://localhost:*`: that
 * host on any port, or with none). Scheme and host compare without case, as browsers send them.
 */
export function isCorsOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  const candidate = origin.toLowerCase();
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    if (pattern === '*') return true;
    if (!pattern.endsWith(':*')) return candidate === pattern;
    const base = pattern.slice(0, -2);
    return candidate === base || (candidate.startsWith(`${base}:`) && /^\d{1,5}$/.test(candidate.slice(base.length + 1)));
  });
}
