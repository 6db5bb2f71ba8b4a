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

function templateSource(root: string): TemplateSource {
  // Templates are package files: nothing changes them during a run, so each is read, and each
  // directory listed, once per process.
  const texts = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const read = (path: string) => {
    let text = texts.get(path);
    if (text === undefined) {
      text = readFileSync(join(root, path), 'utf8');
      texts.set(path, text);
    }
    return text;
  };
  const walk = (dir: string, prefix = ''): string[] => {
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
        .flatMap((e) => walk(dir, `${prefix}${e.name}/`)),
    ];
  };
  const list = (dir: string) => {
    let paths = lists.get(dir);
    if (paths === undefined) {
      paths = walk(dir);
      lists.set(dir, paths);
    }
    return paths;
  };
  return Object.assign(read, { list });
}

let packaged: TemplateSource | undefined;

/** The templates under `root`; by default the package's own, one source shared by every command. */
export function fileTemplates(root?: string): TemplateSource {
  if (root !== undefined) return templateSource(root);
  packaged ??= templateSource(join(packageRoot(), 'templates'));
  return packaged;
}
