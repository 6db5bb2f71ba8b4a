// The one place templates are read from disk. Renderers receive this as a
// TemplateSource, so they stay pure and tests can hand them anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateSource } from '../render/types.js';

/** The package root, found from this module whether run from src/, dist/ or generators/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('generator-cruddur-observability: templates/ not found');
    dir = up;
  }
}

export function fileTemplates(root = join(packageRoot(), 'templates')): TemplateSource {
  const cache = new Map<string, string>();
  const read = (path: string) => {
    let text = cache.get(path);
    if (text === undefined) {
      text = readFileSync(join(root, path), 'utf8');
      cache.set(path, text);
    }
    return text;
  };
  const list = (dir: string, prefix = ''): string[] => {
    const entries = readdirSync(join(root, dir, prefix), { withFileTypes: true });
    const byName = (a: { name: string }, b: { name: string }) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    return [
      ...entries
        .filter((e) => e.isFile())
        .sort(byName)
        .map((e) => prefix + e.name),
      ...entries
        .filter((e) => e.isDirectory())
        .sort(byName)
        .flatMap((e) => list(dir, `${prefix}${e.name}/`)),
    ];
  };
  return Object.assign(read, { list: (dir: string) => list(dir) });
}
