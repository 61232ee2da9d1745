/**
 * Crash test 1 of the spec (§11, TDS-01): a process SIGKILLed at a random point loses no
 * committed transaction and leaves no partial one. Guards against commits that return before
 * their log record is durable, recovery that redoes an uncommitted transaction or fails to
 * undo one, half-applied splits or overflow chains after a crash, log rotation and
 * checkpoints that a crash in the middle leaves unusable, and a stale lock file that blocks
 * the next opener.
 *
 * Strategy: a child process (kill-worker.mjs, running the built dist/) commits workload
 * transactions (workload.mjs: both maps, large values, deletes, rewrites) on a real temporary
 * directory with synced commits, 256 KiB log files and a checkpoint every 512 KiB of log, and
 * prints `committed <i>` after each commit returns. The parent kills it with SIGKILL after a
 * seeded random delay: one run in five 50-300 ms after the spawn (during start-up or open),
 * the others 10-1200 ms after the worker reported `ready` (inside the commit loop, through
 * rotations and checkpoints). It then reopens the home in this process (recovery runs) and
 * checks it. One more scenario kills a worker, then four times restarts a worker on the
 * crashed home and kills it 0-40 ms after it starts opening (often inside recovery or the
 * checkpoint after it; a restart that gets through commits more), then reopens twice in a
 * row.
 *
 * Invariants: with L the last printed transaction, the containers (maps `a` and `b`, the
 * MultiMap `m` with its thousands of duplicates, the record-number map `r`) equal the model
 * after transactions 0..L (the in-flight L+1 may be there too, nothing else: the state is
 * one of two exact prefixes); `verify()` of every database reports no error, and the record
 * numbers of `r` count its records in order; the cache and lock
 * table invariants hold; a second reopen finds the same prefix; a restarted worker that
 * finished recovery resumes exactly at one of the prefixes allowed before it.
 *
 * Replay a run with FC_SEED=<seed> (printed); KILL_RUNS=<n> changes the number of kills.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Environment, PersistentMap } from '../../src/index.js';
import { propertySeed } from '../support/seed.js';
import { tempDir } from '../support/temp-dir.js';
import { KILL_OPTIONS, matchPrefix, openContainers, prng } from './workload.mjs';
import { workloadProblems } from './harness.js';

const WORKER = path.resolve(__dirname, 'kill-worker.mjs');
const DIST_INDEX = path.resolve(__dirname, '../../dist/index.js');
const KILL_RUNS = Number(process.env['KILL_RUNS'] ?? 25);
/** Restarts killed while they open the crashed home, in the recovery scenario. */
const RECOVERY_KILLS = 4;

/** What a killed worker printed. */
interface WorkerRun {
  /** The first transaction it would run (after its recovery), when it got that far. */
  ready: number | undefined;
  /** The last transaction whose commit returned. */
  lastCommitted: number | undefined;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** When to kill: `ms` after the spawn, or after the worker printed `opening` or `ready`. */
interface KillAt {
  after: 'spawn' | 'opening' | 'ready';
  ms: number;
}

function requireDist(): void {
  if (!fs.existsSync(DIST_INDEX)) {
    throw new Error(`${DIST_INDEX} is missing: run 'npx tsc -p .' (npm test does) first`);
  }
}

/** Runs the worker on `home` and SIGKILLs it at `at`. */
function runAndKill(home: string, at: KillAt): Promise<WorkerRun> {
  const child = spawn(process.execPath, [WORKER, DIST_INDEX, home], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: WorkerRun = { ready: undefined, lastCommitted: undefined, signal: null, stderr: '' };
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const kill = (ms: number) => {
    timer = setTimeout(() => child.kill('SIGKILL'), ms);
  };
  if (at.after === 'spawn') kill(at.ms);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [word, n] = line.split(' ');
      if (word === 'committed') run.lastCommitted = Number(n);
      if (word === 'ready') run.ready = Number(n);
      if (word === at.after) kill(at.ms);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    run.stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close' comes after both pipes are drained: every printed line has been seen.
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      run.signal = signal;
      resolve(run);
    });
  });
}

/** The prefixes the home may hold after `run`, given the prefix `known` before it. */
function candidatesAfter(run: WorkerRun, known: number): number[] {
  if (run.lastCommitted !== undefined) return [run.lastCommitted + 1, run.lastCommitted + 2];
  if (run.ready !== undefined) return [run.ready, run.ready + 1];
  return [known, known + 1];
}

/** Reopens `home` (recovery runs), checks it against `candidates`; returns the prefix. */
function checkHome(home: string, candidates: number[], label: string): number {
  const env = Environment.open(home, KILL_OPTIONS);
  try {
    const maps = openContainers(env, PersistentMap);
    const match = matchPrefix(maps, candidates);
    expect(match.k, `${label}: not a committed prefix\n${match.misses?.join('\n')}`)
      .toBeDefined();
    expect(workloadProblems(maps), label).toBeUndefined();
    env.checkInvariants();
    return match.k!;
  } finally {
    env.close();
  }
}

/** The kill point of run `n`: one in five during start-up, the rest in the commit loop. */
function killPoint(random: () => number): KillAt {
  if (random() < 0.2) return { after: 'spawn', ms: 50 + Math.floor(random() * 250) };
  return { after: 'ready', ms: 10 + Math.floor(random() * 1190) };
}

describe('crash: SIGKILL at random points', () => {
  it(`keeps every committed transaction and no partial one (${KILL_RUNS} kills)`, async () => {
    requireDist();
    const seed = propertySeed('kill');
    const random = prng(seed);
    const started = Date.now();
    let commits = 0;
    for (let n = 0; n < KILL_RUNS; n++) {
      const home = tempDir('stowage-kill-');
      const at = killPoint(random);
      const run = await runAndKill(home, at);
      const label = `seed ${seed} run ${n} (killed ${at.ms} ms after ${at.after}, ` +
        `last printed ${run.lastCommitted})`;
      expect(run.stderr, label).toBe('');
      expect(run.signal, `${label}: the worker ended by itself`).toBe('SIGKILL');
      const k = checkHome(home, candidatesAfter(run, 0), label);
      commits += k;
    }
    console.log(`[kill] ${KILL_RUNS} kills, ${commits} transactions recovered in total, ` +
      `${Date.now() - started} ms`);
  });

  it('survives kills of restarted workers during recovery, then two reopens', async () => {
    requireDist();
    const seed = propertySeed('kill-recovery');
    const random = prng(seed);
    const home = tempDir('stowage-kill-recovery-');
    const first = await runAndKill(home, { after: 'ready', ms: 300 + Math.floor(random() * 500) });
    expect(first.stderr).toBe('');
    let possible = candidatesAfter(first, 0);
    const story = [`seed ${seed}: first printed ${first.lastCommitted}`];
    for (let n = 0; n < RECOVERY_KILLS; n++) {
      // Opening a crashed home (recovery, then a checkpoint) takes tens of milliseconds.
      const at: KillAt = { after: 'opening', ms: Math.floor(random() * 40) };
      const run = await runAndKill(home, at);
      story.push(`restart ${n} killed ${at.ms} ms after opening: ready ${run.ready}, ` +
        `printed ${run.lastCommitted}`);
      const label = story.join('; ');
      expect(run.stderr, label).toBe('');
      expect(run.signal, label).toBe('SIGKILL');
      if (run.ready !== undefined) expect(possible, label).toContain(run.ready);
      possible = candidatesAfter(run, possible[0]!);
    }
    const label = story.join('; ');
    const k = checkHome(home, possible, `${label}; first reopen`);
    expect(checkHome(home, [k], `${label}; second reopen`)).toBe(k);
    console.log(`[kill-recovery] ${label}; prefix ${k}`);
  });
});
