// Smoke test of the BUILT library (`npm run smoke`, run by .ci/run after the suite).
//
// vitest runs the TypeScript sources through its own module runner, which can hide problems
// that only the compiled ESM in dist/ has (import cycles, decorator metadata, missing
// exports: see ../shared/spec/toolchain.md pitfall 7). This script imports ../dist/index.js
// with plain node and checks a round trip: open, set/get, transaction commit and abort,
// close, reopen, and a codecs.value round trip of a Map and a Date. It prints one line per
// check and exits non-zero on the first mismatch.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Environment, codecs, DbError, CodecError } from '../dist/index.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stowage-smoke-'));
let checks = 0;

function check(what, actual, expected) {
  checks++;
  if (!isDeepStrictEqual(actual, expected)) {
    console.error(`smoke: FAIL ${what}: got ${String(actual)}, expected ${String(expected)}`);
    process.exitCode = 1;
    throw new Error(`smoke check failed: ${what}`);
  }
  console.log(`smoke: ok   ${what}`);
}

try {
  const when = new Date('2024-02-29T12:34:56.789Z');
  const nested = new Map([['a', 1], ['b', { list: [1, 2, 3], at: when }]]);

  let env = Environment.open(home);
  let map = env.openMap('smoke');
  map.set('answer', 42);
  check('set/get', map.get('answer'), 42);
  check('miss is undefined', map.get('missing'), undefined);
  env.transaction(() => {
    map.set('in-txn', 'committed');
    map.set('nested', nested);
  });
  const txn = env.begin();
  map.set('aborted', true);
  txn.abort();
  check('aborted set is undone', map.has('aborted'), false);
  check('size', map.size, 3);
  let threw;
  try {
    map.set({ not: 'a key' }, 1);
  } catch (e) {
    threw = e;
  }
  check('object key without codec -> CodecError', threw instanceof CodecError, true);
  check('CodecError is a DbError with code CODEC', threw instanceof DbError && threw.code, 'CODEC');
  env.close();

  env = Environment.open(home);
  map = env.openMap('smoke');
  check('reopen keeps committed data', map.get('in-txn'), 'committed');
  check('reopen keeps the Map value', map.get('nested'), nested);
  check('key order after reopen', [...map.keys()], ['answer', 'in-txn', 'nested']);
  check('verify', env.openDatabase('smoke').verify().records, 3);
  env.close();

  const decoded = codecs.value.decode(codecs.value.encode(nested));
  check('codecs.value Map round trip',
    decoded instanceof Map && isDeepStrictEqual(decoded, nested), true);
  check('codecs.value Date round trip', codecs.value.decode(codecs.value.encode(when)).getTime(),
    when.getTime());
  console.log(`smoke: ${checks} checks passed`);
} catch (e) {
  if (!process.exitCode) console.error('smoke: FAIL', e);
  process.exitCode = 1;
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
