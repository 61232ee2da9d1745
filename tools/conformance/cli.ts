/**
 * `npm run --silent conformance -- [options] SCRIPT.jsonl...`: the user-facing conformance
 * runner (docs/conformance.md). Runs Berkeley DB oracle scripts through Stowage and prints
 * the oracle's result lines, so that `diff` against the real library's output is the test.
 *
 * Layer: conformance tooling (user-facing entry point).
 *
 * Usage:
 *   conformance SCRIPT.jsonl                 result lines on stdout
 *   conformance --out DIR A.jsonl B.jsonl    writes DIR/A.txt, DIR/B.txt
 *   conformance --generate DIR [--family F]... [--count N] [--seed S] [--exclude GROUP]...
 *                                            writes seeded scripts (generator/)
 *
 * Invariants:
 * 1. Exit status 0: every script ran to its end; 1: a script stopped (the reason on
 *    stderr); 2: the command line was wrong (usage on stderr).
 * 2. Relative paths are relative to the directory npm was started in (`INIT_CWD`), not to
 *    the package root npm runs scripts from.
 */
import * as path from 'node:path';
import { runCommand } from './run-command.js';
import { type GenerateRequest, generateCommand, isFamily } from './generate-command.js';
import { FAMILIES } from './generator/families.js';
import { OP_GROUPS, type OpGroup } from './generator/op-groups.js';

const USAGE = `usage: npm run --silent conformance -- [--out DIR] SCRIPT.jsonl...
       npm run --silent conformance -- --generate DIR [--family F]... [--count N]
                                       [--seed S] [--exclude GROUP]...
  Runs Berkeley DB oracle scripts (test/compat/oracle/bdb_oracle.pl's format) through
  Stowage and prints one result line per operation, as the oracle does for the real
  library. With several scripts, --out DIR writes DIR/NAME.txt for each NAME.jsonl.
  --generate writes N seeded scripts per family (default: every family, N = 8, a random
  seed, printed). Families: ${FAMILIES.join(', ')}. Groups: ${Object.keys(OP_GROUPS).join(', ')}.`;

interface Command {
  scripts: string[];
  outDir?: string;
  generate?: GenerateRequest;
}

class UsageError extends Error {}

/** Parses the arguments after `--`. */
function parseArgs(args: readonly string[], cwd: string): Command | 'help' {
  const command: Command = { scripts: [] };
  const generate = { families: [] as string[], exclude: [] as string[], count: '8', seed: '' };
  let generateDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '-h' || arg === '--help') return 'help';
    else if (arg === '--out') command.outDir = path.resolve(cwd, value());
    else if (arg === '--generate') generateDir = path.resolve(cwd, value());
    else if (arg === '--family') generate.families.push(value());
    else if (arg === '--exclude') generate.exclude.push(value());
    else if (arg === '--count') generate.count = value();
    else if (arg === '--seed') generate.seed = value();
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else command.scripts.push(path.resolve(cwd, arg));
  }
  if (generateDir !== undefined) {
    command.generate = generateRequest(generateDir, generate);
    return command;
  }
  if (command.scripts.length === 0) throw new UsageError('no script given');
  if (command.scripts.length > 1 && command.outDir === undefined) {
    throw new UsageError('several scripts need --out DIR');
  }
  return command;
}

/** Checks the --generate options. */
function generateRequest(dir: string, given: { families: string[]; exclude: string[];
  count: string; seed: string }): GenerateRequest {
  const families = given.families.length === 0 ? [...FAMILIES] : given.families;
  const unknown = families.find((f) => !isFamily(f));
  if (unknown !== undefined) throw new UsageError(`unknown family ${unknown}`);
  const badGroup = given.exclude.find((g) => !(g in OP_GROUPS));
  if (badGroup !== undefined) throw new UsageError(`unknown group ${badGroup}`);
  const count = Number(given.count);
  if (!Number.isSafeInteger(count) || count < 1) throw new UsageError('--count needs N >= 1');
  const seed = given.seed === '' ? Math.floor(Math.random() * 2 ** 32) : Number(given.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError('--seed needs S >= 0');
  return { dir, families: families.filter(isFamily), count, seed: seed >>> 0,
    exclude: given.exclude as OpGroup[] };
}

function main(args: readonly string[]): number {
  let command: Command | 'help';
  try {
    command = parseArgs(args, process.env['INIT_CWD'] ?? process.cwd());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`conformance: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.generate !== undefined) return generateCommand(command.generate);
  return runCommand(command.scripts, command.outDir);
}

process.exitCode = main(process.argv.slice(2));
