/**
 * The `STOWAGE_VERIFY` tier: with the variable set, a commit checks the structure of every
 * page it changed and `close()` verifies every database, so a page damaged in the cache
 * behind the engine's back is reported as an `AssertionError`; without it neither runs.
 * Each case runs in a child process, since the tier is chosen when the library loads.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { requireDist } from '../../support/dist.js';
import { tempDir } from '../../support/temp-dir.js';

/**
 * Fills a map, then swaps the first two slots of its root leaf in the cache (its keys are
 * then out of order, which no lookup of a later key notices), then either commits a change
 * to that leaf, or aborts one (in a child transaction), or only closes. Prints what each step
 * threw.
 */
const SCRIPT = `
import { Environment } from ${JSON.stringify(requireDist())};
const [home, mode] = process.argv.slice(1);
const outcome = (fn) => {
  try { fn(); return 'ok'; } catch (e) { return e.name + ': ' + e.message; }
};
const env = Environment.open(home);
const map = env.openMap('m');
for (let i = 0; i < 50; i++) map.set(i, 'value ' + i);
const cleanCommit = outcome(() => map.set(20, 'changed'));
const mp = map.db.file.mp;
const leaf = mp.get(1);
const slots = leaf.data.subarray(40, 48);
slots.set([...slots.subarray(4, 8), ...slots.subarray(0, 4)]);
mp.release(leaf);
const rollBack = new Error('roll back');
const changes = {
  commit: () => map.set(30, 'again'),
  abort: () => env.transaction(() => env.transaction(() => {
    map.set(30, 'again');
    throw rollBack;
  })),
};
const commit = changes[mode] ? outcome(changes[mode]) : 'skipped';
const close = outcome(() => env.close());
console.log(JSON.stringify({ cleanCommit, commit, close }));
`;

function run(mode: 'commit' | 'abort' | 'close', verify: boolean) {
  const env = { ...process.env };
  if (verify) env['STOWAGE_VERIFY'] = '1';
  else delete env['STOWAGE_VERIFY'];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, tempDir(), mode], {
    encoding: 'utf8', timeout: 60_000, env,
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { cleanCommit: string; commit: string; close: string };
}

describe('the STOWAGE_VERIFY tier', () => {
  it('a commit checks the pages it changed', () => {
    const out = run('commit', true);
    expect(out.cleanCommit).toBe('ok');
    expect(out.commit).toMatch(/^AssertionError: .*STOWAGE_VERIFY.*page 1: items 0 and 1 out of/);
  });

  it('an abort checks the pages its undo restored, children included', () => {
    const out = run('abort', true);
    expect(out.commit).toMatch(/^AssertionError: .*STOWAGE_VERIFY.*page 1: items 0 and 1 out of/);
  });

  it('close verifies every open database', () => {
    const out = run('close', true);
    expect(out.cleanCommit).toBe('ok');
    expect(out.close).toMatch(/^AssertionError: .*STOWAGE_VERIFY at close.*out of order/);
  });

  it('does not run without the variable', () => {
    expect(run('commit', false)).toEqual({ cleanCommit: 'ok', commit: 'ok', close: 'ok' });
    expect(run('abort', false)).toEqual({
      cleanCommit: 'ok', commit: 'Error: roll back', close: 'ok',
    });
    expect(run('close', false)).toEqual({ cleanCommit: 'ok', commit: 'skipped', close: 'ok' });
  });
});
