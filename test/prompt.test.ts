// The bin's interactive questions: the answers table's prompts read with
// node:readline, from streams here and through a real terminal (script(1)).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ANSWER_NAMES, UsageError, type Given } from '../src/answers/table.js';
import { ask } from '../src/cli/prompt.js';
import { questionsFor } from '../src/yeoman/options.js';
import { promptCollision } from '../src/app/scaffold.js';
import { BIN, cleanEnv, tempDir } from './support/cli.js';

function streams(typed: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  input.end(typed);
  return { input, output, shown: () => shown };
}

/** What interactive `app` asks in a new directory named cruddur, given `given`. */
function appQuestions(given: Given = {}) {
  const missing = ANSWER_NAMES.filter((name) => given[name] === undefined);
  return questionsFor(missing, given, { targetDirName: 'cruddur', env: {} }, promptCollision({}));
}

describe('ask', () => {
  test('Enter takes the default, worked out from the answers so far', async () => {
    const io = streams('my-app\n\n\n');
    const questions = appQuestions().slice(0, 3);
    const answers = await ask(questions, io.input, io.output);
    assert.equal(answers.projectName, 'my-app');
    assert.equal(answers.serviceName, 'backend-express');
    // The group name's default follows the project name just typed.
    assert.match(io.shown(), /\? X-Ray group name \(MyApp\) $/);
  });

  test('an invalid answer says why and is asked again', async () => {
    const io = streams('70000\n8080\n');
    const port = appQuestions().filter((q) => q.name === 'port');
    const answers = await ask(port, io.input, io.output);
    assert.equal(answers.port, '8080');
    assert.match(io.shown(), /port must be a whole number from 1 to 65535\n\? Backend port \(4567\) $/);
  });

  test('input that ends early is a usage error, not a hang', async () => {
    const io = streams('my-app\n');
    const questions = appQuestions();
    await assert.rejects(ask(questions, io.input, io.output), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /input ended before every answer was given; nothing was written/);
      return true;
    });
  });

  test('a list question shows its entries and takes a number or a value', async () => {
    const io = streams('3\n2\n');
    const tracing = appQuestions().filter((q) => q.name === 'tracing');
    assert.equal(tracing.length, 1);
    const answers = await ask(tracing, io.input, io.output);
    assert.equal(answers.tracing, 'otel');
    assert.match(io.shown(), /^ {2}1\) xray: .+\n {2}2\) otel: .+\n/m);
    // 3 is neither an entry's number nor a value: asked again.
    assert.equal(io.shown().match(/^\? Tracing/gm)?.length, 2);
  });
});

// script(1) gives the bin a terminal on both ends, as a person has.
const SCRIPT = '/usr/bin/script';
test(
  'the bin asks in a terminal and writes the answers',
  { skip: !existsSync(SCRIPT) && 'no script(1)' },
  () => {
    const dir = tempDir();
    const command = `${process.execPath} ${BIN} ws --skip-install --skip-hooks`;
    // The last answer, tracing, is a list: its second entry by number.
    const typed = ['shop', 'api', '', '', 'eu-west-2', '8080', '', '', '', '2'].join('\n') + '\n';
    const r = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], {
      cwd: dir,
      env: cleanEnv({ TERM: 'dumb' }),
      input: typed,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\? Project name .*\(ws\)/);
    const stored = JSON.parse(readFileSync(join(dir, 'ws/.yo-rc.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const answers = stored['generator-cruddur-observability']!;
    assert.equal(answers.projectName, 'shop');
    assert.equal(answers.serviceName, 'api');
    assert.equal(answers.region, 'eu-west-2');
    assert.equal(answers.port, 8080);
    assert.equal(answers.groupName, 'Shop');
    assert.equal(answers.tracing, 'otel');
  },
);
