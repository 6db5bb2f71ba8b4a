// The merge engine behind `config`, on the shapes users give their files
// that the end-to-end cases in config.test.ts do not reach: other
// indentation, flow collections, anchors, tabs, CRLF, lists they reordered
// or pruned, and the line-based diff3 used for text files.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { FileParseError } from '../src/merge/errors.js';
import { mergeFile, type Format } from '../src/merge/by-format.js';
import { leftoverReferences, renameInValue } from '../src/merge/references.js';
import { mergeText } from '../src/merge/text.js';
import { presentIn, type Json } from '../src/merge/value.js';

function merge(format: Format, disk: string, base: string, next: string, force = false, path = 'file') {
  return mergeFile(path, format, disk, base, next, { force });
}

describe('the base for a file an older version wrote (presentIn)', () => {
  test("keeps of the new rendering only what the user's file has: keys, named items, recursively", () => {
    const next: Json = {
      a: 1,
      b: { c: 2, d: 3 },
      tasks: [
        { name: 'x', command: 'one' },
        { name: 'y', init: 'two' },
      ],
      ports: ['4567:4567'],
    };
    const disk = {
      a: 5,
      b: { c: 9 },
      tasks: [{ name: 'y', mine: true }],
      ports: ['8080:8080', '9229:9229'],
      own: 1,
    };
    assert.deepEqual(presentIn(next, disk), {
      a: 1,
      b: { c: 2 },
      tasks: [{ name: 'y' }],
      ports: ['4567:4567'],
    });
    assert.equal(presentIn(next, undefined), undefined);
    assert.deepEqual(
      presentIn(next, 'replaced by the user'),
      next,
      'another kind of value: the user changed it',
    );
  });
});

describe('diff3 for text files', () => {
  test('changes to different lines combine; the same line changed twice is a conflict', () => {
    const base = 'a\nb\nc\nd\ne\n';
    assert.deepEqual(mergeText(base, 'a\nB\nc\nd\ne\n', 'a\nb\nc\nD\ne\n', 'disk'), {
      text: 'a\nB\nc\nD\ne\n',
      conflicts: [],
    });
    const clash = mergeText(base, 'x\na\nB\nc\nd\ne\n', 'a\nG\nc\nd\ne\n', 'disk');
    assert.equal(clash.text, 'x\na\nB\nc\nd\ne\n');
    assert.deepEqual(clash.conflicts, [{ line: 3, disk: ['B\n'], next: ['G\n'] }]);
    assert.equal(mergeText(base, 'a\nB\nc\nd\ne\n', 'a\nG\nc\nd\ne\n', 'next').text, 'a\nG\nc\nd\ne\n');
  });
  test('the same change on both sides is no conflict', () => {
    assert.deepEqual(mergeText('a\nb\n', 'a\nc\n', 'a\nc\n', 'disk'), { text: 'a\nc\n', conflicts: [] });
  });
});

describe('YAML: the user formats differently', () => {
  const base = 'services:\n  api:\n    ports:\n      - "4567:4567"\n    environment:\n      PORT: "4567"\n';
  const next = base.replaceAll('4567', '8080');

  test('4-space indentation, list items beside their key, flow map and comments: only owned lines change', () => {
    const disk =
      '# mine\nservices:\n    api:\n        ports:\n        - "4567:4567"   # public\n        environment: {PORT: "4567", DEBUG: "1"}\n' +
      '    db:\n        image:   postgres\n';
    const { text, conflicts } = merge('yaml', disk, base, next);
    assert.deepEqual(conflicts, []);
    const lines = text.split('\n');
    assert.equal(lines[0], '# mine');
    assert.equal(
      lines[4],
      '        - "8080:8080"   # public',
      'the item is updated in place, its comment kept',
    );
    assert.ok(text.endsWith('    db:\n        image:   postgres\n'), 'the other service byte for byte');
    assert.deepEqual(parseYaml(text), {
      services: {
        api: { ports: ['8080:8080'], environment: { PORT: '8080', DEBUG: '1' } },
        db: { image: 'postgres' },
      },
    });
  });

  test('an owned value given through an alias is not edited through: a conflict', () => {
    const disk =
      'x-env: &env\n  PORT: "4567"\nservices:\n  api:\n    ports:\n      - "4567:4567"\n    environment: *env\n';
    const { text, conflicts } = merge('yaml', disk, base, next);
    assert.deepEqual(
      conflicts.map((c) => [c.path, c.disk]),
      [['services.api.environment', '*env']],
    );
    assert.match(text, /^x-env: &env\n {2}PORT: "4567"\n/, 'the anchor is untouched');
    assert.match(text, /- "8080:8080"/);
  });

  test('CRLF line endings are kept', () => {
    const disk = base.replace(/\n/g, '\r\n');
    const { text } = merge('yaml', disk, base, next);
    assert.equal(text, next.replace(/\n/g, '\r\n'));
  });

  test('a user-reordered list keeps its order; an item the user removed is a conflict unless forced', () => {
    const b = 'runServices:\n  - workspace\n  - api\n  - xray-daemon\n';
    const n = 'runServices:\n  - workspace\n  - svc\n  - xray-daemon\n';
    const reordered = merge('yaml', 'runServices:\n  - xray-daemon\n  - api\n  - workspace\n', b, n);
    assert.equal(reordered.text, 'runServices:\n  - xray-daemon\n  - svc\n  - workspace\n');
    const pruned = merge('yaml', 'runServices:\n  - workspace\n  - xray-daemon\n', b, n);
    assert.equal(pruned.conflicts.length, 1);
    assert.equal(pruned.text, 'runServices:\n  - workspace\n  - xray-daemon\n');
    const forced = merge('yaml', 'runServices:\n  - workspace\n  - xray-daemon\n', b, n, true);
    assert.equal(forced.text, 'runServices:\n  - workspace\n  - svc\n  - xray-daemon\n');
  });

  test('a new owned key goes after its rendered neighbour, not at the end', () => {
    const b = 'env:\n  A: "1"\n  C: "3"\n';
    const n = 'env:\n  A: "1"\n  B: "2"\n  C: "3"\n';
    assert.equal(
      merge('yaml', 'env:\n  A: "1"\n  C: "3"\n  MINE: x\n', b, n).text,
      'env:\n  A: "1"\n  B: "2"\n  C: "3"\n  MINE: x\n',
    );
  });

  test('a number the generator changes in a quoted scalar keeps its type', () => {
    const b = 'ports:\n  - name: api\n    port: 4567\n';
    const n = 'ports:\n  - name: api\n    port: 8080\n';
    const { text } = merge('yaml', 'ports:\n  - name: api\n    port: 4567 # public\n', b, n);
    assert.equal(text, 'ports:\n  - name: api\n    port: 8080 # public\n');
    assert.deepEqual(parseYaml(text), { ports: [{ name: 'api', port: 8080 }] });
  });

  test('errors carry the position yaml gives', () => {
    assert.throws(
      () => merge('yaml', 'a: 1\na: 2\n', base, next, false, 'docker-compose.yml'),
      (e: unknown) =>
        e instanceof FileParseError &&
        e.message === 'docker-compose.yml:2:1: not valid YAML: Map keys must be unique',
    );
  });
});

describe('JSON and JSONC', () => {
  test('tabs, comments and key order kept; scalars replaced in place', () => {
    const base = '{\n  "forwardPorts": ["api:4567"],\n  "name": "ws"\n}\n';
    const next = '{\n  "forwardPorts": ["api:8080"],\n  "name": "ws"\n}\n';
    const disk =
      '{\n\t// mine\n\t"name": "ws",\n\t"forwardPorts": [ "api:4567", "db:5432" ],\n\t"remoteUser": "node",\n}\n';
    const { text, conflicts } = merge('jsonc', disk, base, next);
    assert.deepEqual(conflicts, []);
    assert.equal(text, disk.replace('api:4567', 'api:8080'));
  });
  test('a key the generator adds is placed after its neighbour, formatted as the file is', () => {
    const base = '{\n  "a": 1,\n  "c": 3\n}\n';
    const next = '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n';
    assert.equal(
      merge('json', '{\n    "a": 1,\n    "c": 3\n}\n', base, next).text,
      '{\n    "a": 1,\n    "b": 2,\n    "c": 3\n}\n',
    );
  });
  test('comments are an error in plain JSON, with line and column', () => {
    assert.throws(
      () => merge('json', '{\n  "a": 1 // no\n}\n', '{"a": 1}\n', '{"a": 2}\n', false, 'aws/json/x-ray.json'),
      /aws\/json\/x-ray\.json:2:10: not valid JSON: InvalidCommentToken/,
    );
  });
});

describe('.env.example', () => {
  test("owned variables follow; the user's lines, `export` and duplicates stay", () => {
    const base = '# port\nPORT=4567\n# region\nAWS_REGION=us-east-1\n';
    const next = '# port\nPORT=8080\n# region\nAWS_REGION=us-east-1\n# new\nNEW=1\n';
    const disk = '# port\nexport PORT=4567\nMINE=1\n# region\nAWS_REGION=eu-west-1\n';
    const { text, conflicts } = merge('env', disk, base, next);
    assert.deepEqual(conflicts, []);
    assert.equal(text, '# port\nexport PORT=8080\nMINE=1\n# region\nAWS_REGION=eu-west-1\n# new\nNEW=1\n');
  });
  test('a variable the generator drops goes with its comment, unless the user changed it', () => {
    const base = '# a\nA=1\n# b\nB=2\n';
    const next = '# a\nA=1\n';
    assert.equal(merge('env', '# a\nA=1\n# b\nB=2\n', base, next).text, '# a\nA=1\n');
    const kept = merge('env', '# a\nA=1\n# b\nB=3\n', base, next);
    assert.equal(kept.text, '# a\nA=1\n# b\nB=3\n');
    assert.equal(kept.conflicts.length, 1);
  });
});

test('YAML: a value written in place inside a flow list is quoted when it needs to be', () => {
  const { text } = merge(
    'yaml',
    'cmd: [ -o, x ]   # flags\n',
    'cmd:\n  - -o\n  - x\n',
    'cmd:\n  - -o\n  - "{y}"\n',
  );
  assert.equal(text, 'cmd: [ -o, "{y}" ]   # flags\n');
});

describe('a renamed service: which mentions of the old name are references (renameInValue)', () => {
  const rename = { from: 'api', to: 'web' };
  const cases: Array<[string, string]> = [
    ['api', 'web'],
    ['./api', './web'],
    ['./api/src:/app/src:ro', './web/src:/app/src:ro'],
    ['api/.env', 'web/.env'],
    ['${containerWorkspaceFolder}/api', '${containerWorkspaceFolder}/web'],
    ['http://api:4567/api/health', 'http://web:4567/api/health'],
    ['postgres://user@api/db', 'postgres://user@web/db'],
    ['api:4567', 'web:4567'],
    ['API_HOST=api', 'API_HOST=web'],
    ['api:alias', 'web:alias'],
    ['service:api', 'service:web'],
    ['cd api && npm start', 'cd web && npm start'],
    ['npm --prefix api run dev', 'npm --prefix web run dev'],
  ];
  for (const [value, renamed] of cases) {
    test(`${value} -> ${renamed}`, () => assert.equal(renameInValue(value, rename), renamed));
  }
  // Not the service: a longer name, a URL path, a path inside a container,
  // another host, a named volume, a word in a sentence.
  for (const value of [
    'api-v2',
    'my-api',
    'http://localhost:4567/api/health',
    '/app/api',
    'api.example.com',
    'api:/data',
    'the api is slow',
  ]) {
    test(`${value} stays`, () => assert.equal(renameInValue(value, rename), value));
  }

  test('what is left is named by file and line, except on lines the generator renders', () => {
    const text = 'services:\n  web:\n    image: x\n  # api notes\n    label: api.example.com\n';
    const found = leftoverReferences('docker-compose.yml', text, 'services:\n  web:\n', rename);
    assert.deepEqual(
      found.map((l) => l.split(': "')[0]),
      ['docker-compose.yml:4', 'docker-compose.yml:5'],
    );
  });
});
