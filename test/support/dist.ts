/**
 * Child-process helpers: tests that need a second process run the built library (`dist/`),
 * exactly as a user's program would. `npm test` builds it first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

export const DIST_INDEX = path.resolve(__dirname, '../../dist/index.js');

export function requireDist(): string {
  if (!fs.existsSync(DIST_INDEX)) {
    throw new Error(`${DIST_INDEX} is missing: run 'npm run build' (npm test does) first`);
  }
  return DIST_INDEX;
}

/** Runs an ES module source in a fresh node process; returns its stdout. */
export function runScript(source: string, args: string[] = []): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', source, ...args], {
    encoding: 'utf8', timeout: 60_000,
  });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

/** Starts an ES module source in a fresh node process that stays alive. */
export function startScript(source: string, args: string[] = []) {
  return spawn(process.execPath, ['--input-type=module', '-e', source, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
