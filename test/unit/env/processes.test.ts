/**
 * The environment across processes: data written, closed and reopened by another process
 * reads back identical; a second live process gets EnvironmentLockedError naming the
 * owner's pid; a dead owner's lock is taken over (and recovery runs).
 */
import { describe, expect, it } from 'vitest';
import { EnvironmentLockedError, Environment, codecs } from '../../../src/index.js';
import { requireDist, runScript, startScript } from '../../support/dist.js';
import { tempDir } from '../../support/temp-dir.js';

const writer = (dist: string) => `
  import { Environment, codecs } from ${JSON.stringify(dist)};
  const env = Environment.open(process.argv[1]);
  const users = env.openMap('users');
  const raw = env.openMap('raw', { value: codecs.bytes });
  env.transaction(() => {
    for (let i = 0; i < 2000; i++) {
      users.set('user' + i, { id: i, name: 'n' + i, tags: new Set(['a', 'b' + i]),
        joined: new Date(1700000000000 + i), scores: new Map([['x', i]]), big: 10n ** BigInt(i % 30) });
      raw.set(i, new Uint8Array(i % 700).fill(i & 255));
    }
  });
  env.close();
  process.stdout.write('done');
`;

describe('across processes', () => {
  it('reads back identical data written and closed by another process', () => {
    const dir = tempDir();
    const r = runScript(writer(requireDist()), [dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('done');
    const env = Environment.open(dir);
    const users = env.openMap<string, unknown>('users');
    const raw = env.openMap<number, Uint8Array>('raw', { value: codecs.bytes });
    expect(users.size).toBe(2000);
    const u = users.get('user1234') as Record<string, unknown>;
    expect(u).toEqual({ id: 1234, name: 'n1234', tags: new Set(['a', 'b1234']),
      joined: new Date(1700000001234), scores: new Map([['x', 1234]]), big: 10n ** 4n });
    expect(raw.get(699)).toEqual(Buffer.alloc(699, 699 & 255));
    expect(users.db.verify().errors).toEqual([]);
    expect(raw.db.verify().errors).toEqual([]);
    env.close();
  });

  it('refuses a second live process with EnvironmentLockedError naming the owner pid', async () => {
    const dir = tempDir();
    const holder = startScript(`
      import { Environment } from ${JSON.stringify(requireDist())};
      const env = Environment.open(process.argv[1]);
      env.openMap('m').set('k', 1);
      process.stdout.write('open\\n');
      setTimeout(() => { env.close(); }, 60000);
    `, [dir]);
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('open')) resolve(); });
      holder.on('exit', () => reject(new Error('holder exited early')));
    });
    let error: unknown;
    try { Environment.open(dir); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(EnvironmentLockedError);
    expect((error as EnvironmentLockedError).ownerPid).toBe(holder.pid);
    expect((error as Error).message).toContain(String(holder.pid));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const env = Environment.open(dir);
    expect(env.wasUnclean).toBe(true);
    expect(env.openMap('m').get('k')).toBe(1);
    env.close();
  });
});
