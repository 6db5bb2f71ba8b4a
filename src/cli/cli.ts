// The bin. Parses argv from the tables and loads only what the command needs:
// --help and --version touch no dependency at all.
import { parseInvocation } from './args.js';
import { processIo } from './io.js';
import { runInvocation } from './run.js';

const argv = process.argv.slice(2);
process.exitCode = await runInvocation(() => parseInvocation(argv), processIo());
