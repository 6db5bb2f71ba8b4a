// Plain data as parsed from YAML/JSON, and the few operations the merge needs on it.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

/** A concrete location in a document: map keys and sequence indexes. */
export type Path = Array<string | number>;

export function isMap(v: Json | undefined): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isSeq(v: Json | undefined): v is Json[] {
  return Array.isArray(v);
}

export function isScalar(v: Json | undefined): v is null | boolean | number | string {
  return v === null || (typeof v !== 'object' && v !== undefined);
}

/** Structural equality; map key order does not matter, sequence order does. */
export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (isSeq(a) && isSeq(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** One line, for reports: `"text"`, `8080`, `(absent)`. */
export function show(v: Json | undefined, max = 120): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
