// Interactive runs of the bin's `app` go through yeoman-environment, so the
// prompts are Yeoman's own. Loaded only when needed: it is the slowest import
// the bin has.
import { join } from 'node:path';
import type { Invocation } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { packageRoot } from '../files/templates.js';
import { INVOCATION_OPTION } from './options.js';

export async function runYeoman(inv: Invocation, io: Io): Promise<number> {
  const { createEnv } = await import('yeoman-environment');
  const env = createEnv({ cwd: io.cwd });
  const namespace = `cruddur-observability:${inv.command}`;
  env.register(join(packageRoot(), 'generators', inv.command, 'index.js'), { namespace });
  // The bin has parsed argv already: the generator takes the invocation as it is.
  const generatorOptions: Record<string, unknown> = { [INVOCATION_OPTION]: inv };
  const generator = await env.create(namespace, { generatorOptions });
  await env.runGenerator(generator);
  return (generator as unknown as { exitCode: number }).exitCode;
}
