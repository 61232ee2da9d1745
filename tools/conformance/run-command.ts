/**
 * The CLI's default command: runs oracle scripts through Stowage and prints (or writes) the
 * result lines, exactly as the oracle prints them for the real Berkeley DB.
 *
 * Layer: conformance tooling (user-facing).
 *
 * Invariants:
 * 1. stdout carries result lines only, one per operation; everything else goes to stderr.
 * 2. A script that stops (`ScriptError`, a syntax error, a missing file) makes the command
 *    exit non-zero after naming the script, its line number and the line on stderr. The
 *    other scripts of the same command still run.
 * 3. With `--out DIR`, `NAME.jsonl` gives `DIR/NAME.txt`; a script that stopped leaves no
 *    `DIR/NAME.txt` (an older one is removed), so no file looks complete that is not.
 * 4. Each script runs in a fresh temporary environment home, removed afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readScript } from './script.js';
import { ScriptError, runScript } from './runner.js';

/** Runs `script` in a temporary home and returns its result lines (throws on a stop). */
export function runScriptFile(script: string): string[] {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stowage-conformance-'));
  try {
    return runScript(readScript(script), home);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Runs each script; returns the exit status (0 when every script ran to its end). */
export function runCommand(scripts: readonly string[], outDir: string | undefined): number {
  let status = 0;
  if (outDir !== undefined) fs.mkdirSync(outDir, { recursive: true });
  for (const script of scripts) {
    const target = outDir === undefined ? undefined : resultPath(outDir, script);
    try {
      const lines = runScriptFile(script);
      const text = lines.map((l) => `${l}\n`).join('');
      if (target === undefined) process.stdout.write(text);
      else fs.writeFileSync(target, text);
    } catch (e) {
      status = 1;
      if (target !== undefined) fs.rmSync(target, { force: true });
      if (target === undefined && e instanceof ScriptError) {
        process.stdout.write(e.results.map((l) => `${l}\n`).join(''));
      }
      process.stderr.write(`conformance: ${script}: ${describe(e)}\n`);
    }
  }
  return status;
}

/** `DIR/NAME.txt` for `.../NAME.jsonl`. */
export function resultPath(outDir: string, script: string): string {
  return path.join(outDir, `${path.basename(script).replace(/\.jsonl$/, '')}.txt`);
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e instanceof ScriptError && e.cause instanceof Error ? e.cause : undefined;
  const stack = cause && !cause.name.startsWith('Script') ? `\n${cause.stack ?? ''}` : '';
  return `${e.message}${stack}`;
}
