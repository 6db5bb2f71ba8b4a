// Segment naming under dynamic naming (AWS_XRAY_URL).
//
// X-Ray accepts a segment name of 1-200 characters: Unicode letters and
// digits, whitespace and `_ . : / % & # = + \ - @`. Under dynamic naming the
// name comes from the request's Host header, which the client controls, so it
// is cleaned and clamped here; the SDK would put it in raw and the daemon
// would drop the segment.
import AWSXRay from 'aws-xray-sdk-core';

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
 * The segment name for a request: the (cleaned) Host when it matches the
 * AWS_XRAY_URL pattern (X-Ray's glob, the SDK's matcher: `*`, `?`,
 * case-insensitive), otherwise the service name. An empty pattern turns
 * dynamic naming off.
 */
export function segmentName(host: string | undefined, pattern: string, serviceName: string): string {
  if (!pattern || !host || !AWSXRay.utils.wildcardMatch(pattern, host)) return serviceName;
  return cleanSegmentName(host, serviceName);
}
