/**
 * Runs the real Berkeley DB oracle (test/compat/oracle/bdb_oracle.pl) as a perl child
 * process, and tells whether this machine can: Perl's BerkeleyDB module (Debian package
 * libberkeleydb-perl) must be installed.
 *
 * Layer: test support (compat).
 *
 * Invariants:
 * 1. The oracle reads its script from a file and writes its results to a file, never to a
 *    pipe: a test may block the event loop (Stowage runs synchronously) while the child
 *    writes megabytes of dump lines, and a full pipe would stall it.
 * 2. A run that takes longer than its timeout is killed and reported as hung: a script
 *    that makes the real library wait forever broke a generator rule (a lock held by an
 *    open cursor), which is a bug of the script, not an answer.
 * 3. A non-zero exit (the oracle's `die`: a script the library cannot run) is reported with
 *    the oracle's stderr; it is never taken for a list of answers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

export const ORACLE = path.resolve(__dirname, 'oracle/bdb_oracle.pl');

/** Whether `perl -MBerkeleyDB -e1` works here, and if not, why. */
export function probeOracle(): { available: true } | { available: false; reason: string } {
  const r = spawnSync('perl', ['-MBerkeleyDB', '-e1'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { available: false, reason: `perl cannot run: ${r.error.message}` };
  if (r.status !== 0) {
    const first = (r.stderr ?? '').split('\n')[0] ?? '';
    return { available: false, reason: 'Perl module BerkeleyDB is missing (apt-get install ' +
      `libberkeleydb-perl; .ci/run does): ${first}` };
  }
  return { available: true };
}

/** What one oracle run gave. */
export interface OracleRun {
  lines: string[];
  /** Milliseconds the child ran. */
  elapsedMs: number;
}

/** Runs the oracle on `script`, writing its results to `output`. */
export function runOracle(script: string, output: string, timeoutMs = 60_000): Promise<OracleRun> {
  const started = Date.now();
  const stdin = fs.openSync(script, 'r');
  const stdout = fs.openSync(output, 'w');
  const child = spawn('perl', [ORACLE], { stdio: [stdin, stdout, 'pipe'] });
  fs.closeSync(stdin);
  fs.closeSync(stdout);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const elapsedMs = Date.now() - started;
      if (signal === 'SIGKILL') {
        reject(new Error(`the oracle hung on ${script} (killed after ${timeoutMs} ms): the ` +
          'script makes the real library wait forever'));
      } else if (status !== 0) {
        reject(new Error(`the oracle died on ${script} (exit ${status}): ${stderr.trim()}`));
      } else {
        const lines = fs.readFileSync(output, 'utf8').split('\n').filter((l) => l !== '');
        resolve({ lines, elapsedMs });
      }
    });
  });
}
