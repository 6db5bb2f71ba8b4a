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

/** A list item's identity: its `name` (Gitpod tasks and the like). */
export function nameOf(item: Json | undefined): string | undefined {
  return isMap(item) && typeof item.name === 'string' ? item.name : undefined;
}

/**
 * `next` without what `disk` lacks: map keys and named list items absent
 * from `disk` are dropped, recursively; values and other lists are `next`'s.
 * The merge base for a file whose real base is unknown (an older generator
 * version wrote it, and the user edited it since): merged into `disk`, what
 * the user lacks comes in as new, and what they have differently stays theirs.
 */
export function presentIn(next: Json, disk: Json | undefined): Json | undefined {
  if (disk === undefined) return undefined;
  if (isMap(next) && isMap(disk)) {
    const out: JsonMap = {};
    for (const [key, value] of Object.entries(next)) {
      const kept = Object.hasOwn(disk, key) ? presentIn(value, disk[key]) : undefined;
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }
  if (isSeq(next) && isSeq(disk) && next.length > 0 && next.every((item) => nameOf(item) !== undefined)) {
    return next.flatMap((item) => {
      const kept = presentIn(
        item,
        disk.find((d) => nameOf(d) === nameOf(item)),
      );
      return kept === undefined ? [] : [kept];
    });
  }
  return next;
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
