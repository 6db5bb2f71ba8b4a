// The bin and generator tests run the built packages (CLI: dist/cli.js and
// the templates copied beside it; Yeoman: generators/*/index.js). Built from older sources they would test old code
// and UPDATE_SNAPSHOTS=1 would write its output as the truth, so a build
// older than any of its sources stops the test run here, saying what to run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const CLI_OUTPUT = 'packages/cruddur-observability/dist/cli.js';

function files(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => keep(path) && statSync(path).isFile());
}

/** The build outputs, or the sources newer than the oldest of them: why the build is stale, if it is. */
export function staleBuild(root: string): string | undefined {
  const generators = join(root, 'generators');
  const built = join(root, 'packages/generator-cruddur-observability/generators');
  const outputs = [join(root, CLI_OUTPUT), ...files(built, (p) => p.endsWith('index.js'))];
  const missing = outputs.filter((p) => !existsSync(p));
  if (missing.length > 0 || outputs.length < 2) return `no build (${relative(root, missing[0] ?? built)})`;
  const oldest = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const sources = [
    ...files(join(root, 'src'), (p) => p.endsWith('.ts')),
    ...files(generators, (p) => p.endsWith('.ts')),
    ...files(join(root, 'templates'), () => true),
    ...[join(root, 'scripts/build.mjs')].filter((p) => existsSync(p)),
  ];
  const newer = sources.filter((p) => statSync(p).mtimeMs > oldest);
  return newer.length > 0
    ? `${relative(root, newer[0]!)}${newer.length > 1 ? ` and ${newer.length - 1} more` : ''} changed after the last build`
    : undefined;
}

export function assertFreshBuild(root: string): void {
  const why = staleBuild(root);
  if (why) {
    throw new Error(
      `the built bin and generators are stale: ${why}; run \`npm run build\` first (\`npm test\` and \`npm run test:unit\` do)`,
    );
  }
}
