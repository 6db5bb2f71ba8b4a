// Segment naming, kept free of the SDK so it is easy to test.
//
// X-Ray accepts a segment name of 1-200 characters: Unicode letters and
// digits, whitespace and `_ . : / % & # = + \ - @`. Under dynamic naming the
// name comes from the request's Host header, which the client controls, so it
// is cleaned and clamped here; the SDK would put it in raw and the daemon
// would drop the segment.

export const MAX_NAME_LENGTH = 200;

const NOT_ALLOWED = /[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/gu;

/** Removes characters X-Ray rejects and clamps to 200 characters; `fallback` when nothing is left. */
export function cleanSegmentName(raw: string, fallback: string): string {
  const cleaned = raw.replace(NOT_ALLOWED, '').replace(/\s+/g, ' ').trim();
  if (!cleaned) return fallback;
  const chars = Array.from(cleaned);
  return chars.length <= MAX_NAME_LENGTH ? cleaned : chars.slice(0, MAX_NAME_LENGTH).join('').trimEnd();
}

/**
 * X-Ray's glob: `*` any run of characters, `?` exactly one, case-insensitive,
 * whole-string match (as the SDK and the sampling rules use it). Linear in
 * practice: one backtrack point, no recursion, so a hostile Host cannot make
 * it explode.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const c = p[pi];
    if (c === '?' || (c !== undefined && c !== '*' && c === t[ti])) {
      pi++;
      ti++;
    } else if (c === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * The segment name for a request: the (cleaned) Host when it matches the
 * AWS_XRAY_URL pattern, otherwise the service name. An empty pattern turns
 * dynamic naming off.
 */
export function segmentName(host: string | undefined, pattern: string, serviceName: string): string {
  if (!pattern || !host || !globMatch(pattern, host)) return serviceName;
  return cleanSegmentName(host, serviceName);
}
