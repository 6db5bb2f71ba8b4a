// Interactive runs of the bin go through yeoman-environment, so prompts and
// the conflicter are Yeoman's own. Loaded only when needed: it is the
// slowest import the bin has.
import { join } from 'node:path';
import type { Invocation } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { packageRoot } from '../files/templates.js';

export async function runYeoman(inv: Invocation, io: Io, argv = process.argv.slice(2)): Promise<number> {
  const { createEnv } = await import('yeoman-environment');
  const env = createEnv({ cwd: io.cwd });
  const namespace = `cruddur-observability:${inv.command}`;
  env.register(join(packageRoot(), 'generators', inv.command, 'index.js'), { namespace });
  const args = argv[0] === inv.command ? argv.slice(1) : argv;
  await env.run([namespace, ...args]);
  return 0;
}
