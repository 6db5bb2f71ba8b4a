// The bin. Parses argv from the tables and loads only what the command needs:
// --help and --version touch no dependency at all.
import { parseInvocation } from './args.js';
import { processIo, type Io } from './io.js';
import { runInvocation } from './run.js';

const argv = process.argv.slice(2);
const io: Io = {
  ...processIo(),
  ask: async (missing, known, ctx, unusable) => {
    const [{ ask }, { questionsFor }] = await Promise.all([
      import('./prompt.js'),
      import('../yeoman/options.js'),
    ]);
    return ask(questionsFor(missing, known, ctx, unusable), process.stdin, process.stdout);
  },
};
const code = await runInvocation(() => parseInvocation(argv), io);
// The answer is out: exit now rather than when the event loop drains. A
// credential provider the SDK cannot cancel (a credential_process, an SSO or
// container call that hangs) would otherwise keep the process alive long
// after its deadline was reported. Output is flushed first (pipes may be
// asynchronous).
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((done) => stream.write('', () => done()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
