/**
 * Child process of kill.test.ts: commits workload transactions on a real directory until it
 * is SIGKILLed (every third one inside a nested child transaction), printing
 * `committed <i>` (synchronously, so the line is out before the next
 * transaction begins) after each `env.transaction` returns.
 *
 * Usage: node kill-worker.mjs <dist/index.js> <home>
 * Prints `opening` just before `Environment.open` (which runs recovery on a crashed home) and
 * `ready <first txn>` once it returned: a restarted worker continues after the last
 * committed transaction it finds.
 */
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { KILL_OPTIONS, nextTxnFrom, openContainers, runTxnOps } from './workload.mjs';

/** A worker the parent forgot to kill stops by itself. */
const RUN_LIMIT_MS = 30_000;

async function main() {
  const [dist, home] = process.argv.slice(2);
  if (!dist || !home) throw new Error('usage: kill-worker.mjs <dist/index.js> <home>');
  const { Environment, PersistentMap } = await import(pathToFileURL(dist).href);
  fs.writeSync(1, 'opening\n');
  const env = Environment.open(home, KILL_OPTIONS);
  const maps = openContainers(env, PersistentMap);
  const first = nextTxnFrom(maps.a);
  fs.writeSync(1, `ready ${first}\n`);
  const started = Date.now();
  for (let i = first; Date.now() - started < RUN_LIMIT_MS; i++) {
    // Every third transaction does its work in a child: the child's commit may take the
    // automatic checkpoint while its parent is open, so a kill can leave a loser spanning a
    // checkpoint, whose undo (in the recovery of a restarted worker) images pages.
    if (i % 3 === 0) env.transaction(() => env.transaction(() => runTxnOps(maps, i)));
    else env.transaction(() => runTxnOps(maps, i));
    fs.writeSync(1, `committed ${i}\n`);
  }
  env.close();
}

main().catch((e) => {
  fs.writeSync(2, `worker failed: ${e?.stack ?? e}\n`);
  process.exit(1);
});
