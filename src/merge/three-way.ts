// The per-value three-way decision, independent of the file format.
//
// The three sides of a merge have one name each, here and in every file of
// src/merge and src/config: `base` is what the generator rendered last time,
// `disk` the file on disk with the user's edits, `next` what it renders now.
// In this file the document on disk is reached through a MergeTarget, which also
// applies the edits (YAML Document API, jsonc-parser edits, .env lines) so
// that everything the generator does not own stays as the user wrote it.
//
// What the generator owns is exactly what it renders: the keys of the
// rendered maps, the items of rendered lists (items of a list of maps by
// their `name`, items of a list of scalars by value), and the scalars in
// them. Keys and items on disk that the generator never rendered are the
// user's and are never looked at. Per owned value:
//   generator unchanged (base = next)         -> keep what is on disk
//   disk already as wanted (disk = next)      -> nothing to do
//   user unchanged (disk = base)              -> update to next
//   otherwise (both changed; a user deletion counts as a change)
//                                              -> conflict: keep the user's,
//                                                 or take next with `force`
// A key renamed by the generator (same position among the changed keys of a
// map or the changed names of a list, e.g. services.<old> -> services.<new>)
// is renamed in place on disk first, keeping the user's other keys in it and
// its position, then merged value by value.
import { deepEqual, isMap, isScalar, isSeq, nameOf, type Json, type JsonMap, type Path } from './value.js';

export interface MergeTarget {
  /** The value at `path` on disk, or undefined when absent. */
  get(path: Path): Json | undefined;
  /** Replaces the value at an existing key or index (`[]`: the whole document). */
  replace(path: Path, value: Json): void;
  /** Adds `key` to the map at `path` so that it becomes its `index`-th key. */
  insertKey(path: Path, key: string, value: Json, index: number): void;
  /** Adds an item to the list at `path` so that it becomes its `index`-th item. */
  insertItem(path: Path, index: number, value: Json): void;
  /** Removes the key or item at `path`. */
  remove(path: Path): void;
  /** Renames a key of the map at `path` in place. */
  renameKey(path: Path, from: string, to: string): void;
}

export interface Conflict {
  /** Human path, e.g. `services.api.environment.AWS_REGION` or `tasks[api].init`. */
  path: string;
  /** The user's value (on disk); the report calls it "yours". */
  disk: Json | undefined;
  /** The value rendered now; the report calls it "generator". */
  next: Json | undefined;
  note?: string;
}

interface Loc {
  path: Path;
  label: string;
  /** For a map key: the key order the generator renders, to place a new key. */
  siblings?: string[];
}

function keyLabel(parent: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${part}` : part;
}

/** Where to put `wanted` among `present` so it follows its rendered neighbours. */
function insertionIndex(order: readonly string[], wanted: string, present: readonly string[]): number {
  const at = order.indexOf(wanted);
  for (let i = at - 1; i >= 0; i--) {
    const j = present.indexOf(order[i]!);
    if (j >= 0) return j + 1;
  }
  for (let i = at + 1; i < order.length; i++) {
    const j = present.indexOf(order[i]!);
    if (j >= 0) return j;
  }
  return present.length;
}

/** Pairs removed and added names by position when there are as many of each: renames. */
function pairRenames(removed: string[], added: string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  if (removed.length === added.length) removed.forEach((old, i) => pairs.set(added[i]!, old));
  return pairs;
}

class Walker {
  readonly conflicts: Conflict[] = [];

  constructor(
    private readonly target: MergeTarget,
    private readonly force: boolean,
  ) {}

  walk(b: Json | undefined, n: Json | undefined, loc: Loc): void {
    if (deepEqual(b, n)) return;
    const d = this.target.get(loc.path);
    if (deepEqual(d, n)) return;
    if (isMap(n) && isMap(d) && (isMap(b) || b === undefined)) return this.walkMap(b ?? {}, n, loc);
    if (isSeq(n) && isSeq(d) && (isSeq(b) || b === undefined) && this.walkSeq(b ?? [], n, loc)) return;
    if (deepEqual(d, b)) return this.write(loc, n);
    this.conflict(loc.label, d, n);
    if (this.force) this.write(loc, n);
  }

  private conflict(path: string, disk: Json | undefined, next: Json | undefined, note?: string): void {
    this.conflicts.push({ path, disk, next, ...(note ? { note } : {}) });
  }

  /** Sets (n defined) or removes (n undefined) the value at `loc`. */
  private write(loc: Loc, n: Json | undefined): void {
    const exists = this.target.get(loc.path) !== undefined || this.hasKey(loc);
    if (n === undefined) {
      if (exists) this.target.remove(loc.path);
      return;
    }
    if (exists || loc.path.length === 0) return this.target.replace(loc.path, n);
    const parentPath = loc.path.slice(0, -1);
    const key = String(loc.path[loc.path.length - 1]);
    const parent = this.target.get(parentPath);
    const present = isMap(parent) ? Object.keys(parent) : [];
    this.target.insertKey(parentPath, key, n, insertionIndex(loc.siblings ?? [], key, present));
  }

  /** A key present with a null value counts as present. */
  private hasKey(loc: Loc): boolean {
    if (loc.path.length === 0) return false;
    const parent = this.target.get(loc.path.slice(0, -1));
    const key = loc.path[loc.path.length - 1]!;
    return isMap(parent) ? Object.hasOwn(parent, key) : isSeq(parent) && typeof key === 'number';
  }

  private child(loc: Loc, key: string, siblings: string[]): Loc {
    return { path: [...loc.path, key], label: keyLabel(loc.label, key), siblings };
  }

  private walkMap(b: JsonMap, n: JsonMap, loc: Loc): void {
    const order = Object.keys(n);
    const removed = Object.keys(b).filter((k) => !Object.hasOwn(n, k));
    const added = order.filter((k) => !Object.hasOwn(b, k));
    const renames = pairRenames(removed, added);
    for (const key of order) {
      const old = renames.get(key);
      if (Object.hasOwn(b, key)) this.walk(b[key], n[key], this.child(loc, key, order));
      else if (old !== undefined) this.renameMapKey(b[old], n[key], loc, old, key, order);
      else this.walk(undefined, n[key], this.child(loc, key, order));
    }
    for (const key of removed) {
      if (![...renames.values()].includes(key)) this.walk(b[key], undefined, this.child(loc, key, order));
    }
  }

  private renameMapKey(
    b: Json | undefined,
    n: Json | undefined,
    loc: Loc,
    old: string,
    key: string,
    order: string[],
  ) {
    const d = this.target.get(loc.path);
    const hasOld = isMap(d) && Object.hasOwn(d, old);
    const hasNew = isMap(d) && Object.hasOwn(d, key);
    const to = this.child(loc, key, order);
    if (hasOld && hasNew) {
      this.conflict(
        to.label,
        (d as JsonMap)[key],
        n,
        `renaming ${old} to ${key}, but you already have ${key}`,
      );
      if (!this.force) return;
      this.target.remove([...loc.path, old]);
      return this.walk(undefined, n, to);
    }
    if (hasOld) this.target.renameKey(loc.path, old, key);
    this.walk(b, n, to);
  }

  /** Merges item by item; false when the list has no item identity (then it is one value). */
  private walkSeq(b: Json[], n: Json[], loc: Loc): boolean {
    const all = [...b, ...n];
    if (all.length > 0 && all.every((item) => nameOf(item) !== undefined)) {
      this.walkNamedItems(b, n, loc);
      return true;
    }
    if (all.every(isScalar)) {
      this.walkScalarItems(b as Scalar[], n as Scalar[], loc);
      return true;
    }
    return false;
  }

  private current(loc: Loc): Json[] {
    const d = this.target.get(loc.path);
    return isSeq(d) ? d : [];
  }

  private walkNamedItems(b: Json[], n: Json[], loc: Loc): void {
    const bBy = new Map(b.map((item) => [nameOf(item)!, item]));
    const nBy = new Map(n.map((item) => [nameOf(item)!, item]));
    const order = [...nBy.keys()];
    const removed = [...bBy.keys()].filter((k) => !nBy.has(k));
    const added = order.filter((k) => !bBy.has(k));
    const renames = pairRenames(removed, added);
    const indexOf = (name: string) => this.current(loc).findIndex((item) => nameOf(item) === name);
    const at = (i: number, name: string): Loc => ({ path: [...loc.path, i], label: `${loc.label}[${name}]` });
    const insert = (name: string, item: Json) => {
      const present = this.current(loc).map((x) => nameOf(x) ?? '');
      this.target.insertItem(loc.path, insertionIndex(order, name, present), item);
    };

    for (const name of order) {
      const nItem = nBy.get(name)!;
      const old = renames.get(name);
      const bItem = bBy.get(old ?? name);
      let i = indexOf(old ?? name);
      if (old !== undefined) {
        const j = indexOf(name);
        if (i >= 0 && j >= 0) {
          this.conflict(
            at(j, name).label,
            this.current(loc)[j],
            nItem,
            `renaming ${old} to ${name}, but you already have ${name}`,
          );
          if (!this.force) continue;
          this.target.remove([...loc.path, i]);
          this.walk(undefined, nItem, at(indexOf(name), name));
          continue;
        }
        if (i < 0) i = j;
      }
      if (i >= 0) {
        this.walk(bItem, nItem, at(i, name));
      } else if (!deepEqual(bItem, nItem)) {
        // Absent on disk: new from the generator, or removed by the user.
        if (bItem !== undefined) this.conflict(`${loc.label}[${name}]`, undefined, nItem);
        if (bItem === undefined || this.force) insert(name, nItem);
      }
    }
    for (const name of removed) {
      if ([...renames.values()].includes(name)) continue;
      const i = indexOf(name);
      if (i >= 0) this.walk(bBy.get(name), undefined, at(i, name));
    }
  }

  private walkScalarItems(b: Scalar[], n: Scalar[], loc: Loc): void {
    const removed = b.filter((v) => !n.includes(v));
    const added = n.filter((v) => !b.includes(v));
    const paired = removed.length === added.length;
    const indexOf = (v: Scalar) => this.current(loc).findIndex((x) => x === v);
    const insert = (v: Scalar) => {
      const present = this.current(loc).map((x) => JSON.stringify(x));
      const order = n.map((x) => JSON.stringify(x));
      this.target.insertItem(loc.path, insertionIndex(order, JSON.stringify(v), present), v);
    };
    added.forEach((v, k) => {
      const was = paired ? removed[k] : undefined;
      if (indexOf(v) >= 0) {
        if (was !== undefined && indexOf(was) >= 0) this.target.remove([...loc.path, indexOf(was)]);
        return;
      }
      if (was === undefined) return insert(v);
      const i = indexOf(was);
      if (i >= 0) return this.target.replace([...loc.path, i], v);
      this.conflict(loc.label, this.current(loc), n, `you changed or removed ${JSON.stringify(was)}`);
      if (this.force) insert(v);
    });
    if (!paired) {
      for (const v of removed) {
        const i = indexOf(v);
        if (i >= 0) this.target.remove([...loc.path, i]);
      }
    }
  }
}

type Scalar = null | boolean | number | string;

/**
 * Merges the generator's change from `base` to `next` into the document
 * behind `target`. Returns the conflicts (with `force`, already resolved in
 * the generator's favour).
 */
export function mergeThreeWay(
  base: Json | undefined,
  next: Json | undefined,
  target: MergeTarget,
  opts: { force: boolean },
): Conflict[] {
  const walker = new Walker(target, opts.force);
  walker.walk(base, next, { path: [], label: '' });
  return walker.conflicts;
}
