// The bin. Parses argv from the tables and loads only what the command needs:
// --help and --version touch no dependency at all.
import { parseInvocation } from './args.js';
import { processIo, type Io } from './io.js';
import { runInvocation } from './run.js';

const argv = process.argv.slice(2);
const io: Io = {
  ...processIo(),
  ask: async (missing, known, ctx) => {
    const [{ ask }, { questionsFor }] = await Promise.all([
      import('./prompt.js'),
      import('../yeoman/options.js'),
    ]);
    return ask(questionsFor(missing, known, ctx), process.stdin, process.stdout);
  },
};
process.exitCode = await runInvocation(() => parseInvocation(argv), io);
