/**
 * Openers racing for a stale lock: after the owner of a home is SIGKILLed, several processes
 * that open the home at the same instant must produce exactly one owner; every other one gets
 * `EnvironmentLockedError`. Guards against a takeover of a stale lock that two openers can
 * both believe they won (each renames its own lock over the stale one and re-reads it before
 * the other's rename lands), after which two processes write the same database files.
 *
 * Strategy: a child process opens a home, writes to it and is SIGKILLed, so the home holds a
 * real dead owner's lock and an unclean log. Every round copies that home to a fresh
 * directory. OPENERS long-lived child processes (the built dist/) receive the round's home
 * and a start time on stdin, spin until that time, call `Environment.open` and report; the
 * winner keeps the environment open until the next round, so a late opener cannot win after
 * it. Every other round also plants the takeover marker an opener that died inside its
 * takeover would have left (naming a real exited process), which the openers must break
 * without two of them winning. ROUNDS rounds (env LOCK_RACE_ROUNDS) run in a few seconds.
 *
 * Invariants: in every round exactly one opener wins and it saw the home unclean (it took
 * the stale lock over); every other opener fails with code ENV_LOCKED; no takeover marker is
 * left once every opener has answered.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/util/index.js';
import { requireDist, startScript } from '../../support/dist.js';
import { tempDir } from '../../support/temp-dir.js';

const OPENERS = 4;
const ROUNDS = Number(process.env['LOCK_RACE_ROUNDS'] ?? 60);
/** Time for a round's message to reach every opener before they start, in milliseconds. */
const START_DELAY_MS = 15;

/** One opener's report of a round. */
interface Outcome {
  won: boolean;
  wasUnclean?: boolean;
  code?: string;
  message?: string;
}

const openerSource = (dist: string) => `
  import { Environment } from ${JSON.stringify(dist)};
  import * as readline from 'node:readline';
  let env;
  const now = () => performance.timeOrigin + performance.now();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    env?.close();
    env = undefined;
    const { home, startAtMs } = JSON.parse(line);
    while (now() < startAtMs) { /* spin: every opener starts at the same instant */ }
    let outcome;
    try {
      env = Environment.open(home);
      outcome = { won: true, wasUnclean: env.wasUnclean };
    } catch (error) {
      outcome = { won: false, code: error.code, message: String(error.message) };
    }
    process.stdout.write(JSON.stringify(outcome) + '\\n');
  }).on('close', () => { env?.close(); });
`;

/** A long-lived opener child and the queue of its report lines. */
class Opener {
  private readonly waiting: ((outcome: Outcome) => void)[] = [];
  private pending = '';
  stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.take(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => { this.stderr += chunk; });
  }

  /** Sends a round and resolves with the opener's report. */
  run(home: string, startAtMs: number): Promise<Outcome> {
    const reply = new Promise<Outcome>((resolve) => this.waiting.push(resolve));
    this.child.stdin!.write(`${JSON.stringify({ home, startAtMs })}\n`);
    return reply;
  }

  private take(chunk: string): void {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.waiting.shift()?.(JSON.parse(line) as Outcome);
  }
}

/** A home whose owner was SIGKILLed while it had the environment open. */
async function crashedHome(dist: string): Promise<string> {
  const home = path.join(tempDir('stowage-lock-race-'), 'crashed');
  fs.mkdirSync(home);
  const owner = startScript(`
    import { Environment } from ${JSON.stringify(dist)};
    const env = Environment.open(process.argv[1]);
    env.openMap('m').set('k', 1);
    process.stdout.write('open\\n');
    setInterval(() => {}, 60000);
  `, [home]);
  await new Promise<void>((resolve, reject) => {
    owner.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('open')) resolve(); });
    owner.on('exit', () => reject(new Error('the owner exited before it was killed')));
  });
  const exited = new Promise((resolve) => owner.on('exit', resolve));
  owner.kill('SIGKILL');
  await exited;
  expect(fs.readdirSync(home)).toContain('__stowage.lock');
  return home;
}

/** One opener's report, short: 'won', 'won (clean)', or the error code. */
function summary(outcome: Outcome): string {
  if (outcome.won) return outcome.wasUnclean === true ? 'won' : 'won (clean)';
  return outcome.code ?? `failed: ${outcome.message}`;
}

/**
 * Leaves in `home` the marker of an opener that died while taking over its lock: it guards
 * the lock's bytes and names `dead`, a process that has exited.
 */
function plantDeadOpenersMarker(home: string, dead: number): void {
  const lock = path.join(home, '__stowage.lock');
  // The name docs/architecture.md (section 2) gives: level 1, the crc32 of the lock's bytes.
  const key = crc32(fs.readFileSync(lock)).toString(16).padStart(8, '0');
  const marker = `${lock}.takeover-1-${key}`;
  const opener = { pid: dead, threadId: 0, startedAtMs: Date.now(), host: os.hostname() };
  fs.writeFileSync(marker, `${JSON.stringify(opener)}\n`);
}

/** Takeover markers left in `home`. */
function markersIn(home: string): string[] {
  return fs.readdirSync(home).filter((name) => name.includes('.takeover-'));
}

function startOpeners(dist: string): Opener[] {
  return Array.from({ length: OPENERS }, () => new Opener(
    spawn(process.execPath, ['--input-type=module', '-e', openerSource(dist)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  ));
}

describe('openers racing for a stale lock', () => {
  it(`make exactly one owner per round (${OPENERS} openers, ${ROUNDS} rounds)`, async () => {
    const dist = requireDist();
    const crashed = await crashedHome(dist);
    const openers = startOpeners(dist);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const rounds = tempDir('stowage-lock-race-rounds-');
    const failures: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const home = path.join(rounds, `round-${round}`);
        fs.cpSync(crashed, home, { recursive: true });
        if (round % 2 === 1) plantDeadOpenersMarker(home, deadPid);
        const startAtMs = Date.now() + START_DELAY_MS;
        const outcomes = await Promise.all(openers.map((o) => o.run(home, startAtMs)));
        const winners = outcomes.filter((o) => o.won);
        const losers = outcomes.filter((o) => !o.won);
        const fair = winners.length === 1 && winners[0]!.wasUnclean === true
          && losers.every((o) => o.code === 'ENV_LOCKED') && markersIn(home).length === 0;
        if (!fair) {
          const left = markersIn(home).join(' ');
          failures.push(`round ${round}: ${outcomes.map(summary).join(', ')} ${left}`);
        }
      }
    } finally {
      for (const opener of openers) opener.child.stdin!.end();
      await Promise.all(openers.map((o) => new Promise((resolve) => {
        if (o.child.exitCode !== null) resolve(undefined);
        else o.child.on('exit', resolve);
      })));
    }
    expect(openers.map((o) => o.stderr)).toEqual(openers.map(() => ''));
    expect(failures, `${failures.length} of ${ROUNDS} rounds failed`).toEqual([]);
  });
});
