// Loaded into a bin child process with `node --import` by the kill and lock
// tests; the product has no test hook. Every call of a synchronous fs
// function that changes the disk is a numbered point; at point FAULT_AT
// (1-based) the process SIGKILLs itself (FAULT_ACTION=kill, the default) or
// waits (FAULT_ACTION=pause) until FAULT_DIR/resume exists, having created
// FAULT_DIR/paused. On exit the number of points passed is written to
// FAULT_DIR/count, so a test can step through every one.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import process from 'node:process';

const at = Number(process.env.FAULT_AT ?? '0');
const dir = process.env.FAULT_DIR;
const action = process.env.FAULT_ACTION ?? 'kill';
const real = { ...fs };
let count = 0;

function point() {
  count++;
  if (count !== at) return;
  if (action === 'kill') process.kill(process.pid, 'SIGKILL');
  real.writeFileSync(join(dir, 'paused'), String(process.pid));
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (!real.existsSync(join(dir, 'resume'))) Atomics.wait(sleeper, 0, 0, 20);
}

const writes = (flags) => typeof flags !== 'string' || /[wax+]/.test(flags);
const changes = {
  openSync: (args) => writes(args[1] ?? 'r'),
  writeSync: (args) => args[0] !== 1 && args[0] !== 2,
  writeFileSync: () => true,
  renameSync: () => true,
  linkSync: () => true,
  rmSync: () => true,
  unlinkSync: () => true,
  mkdirSync: () => true,
  rmdirSync: () => true,
};
// A call made inside another (rmSync unlinks) is part of the same point.
let inside = 0;
for (const [name, changesDisk] of Object.entries(changes)) {
  fs[name] = function (...args) {
    if (inside === 0 && changesDisk(args)) point();
    inside++;
    try {
      return real[name].apply(this, args);
    } finally {
      inside--;
    }
  };
}
syncBuiltinESMExports();

process.on('exit', () => {
  if (dir) real.writeFileSync(join(dir, 'count'), String(count));
});
