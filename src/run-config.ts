// `cruddur-observability config`: placeholder until the merge lands.
import type { Invocation } from './args.js';
import type { Io } from './io.js';

export async function runConfig(_inv: Invocation, io: Io): Promise<number> {
  io.err('config: not implemented yet');
  return 1;
}
