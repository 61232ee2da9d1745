/**
 * Conformance with the real Berkeley DB 5.3, on freshly generated scripts: for every enabled
 * family (enabled.ts), at least 40 seeded scripts (tools/conformance/generator) run through
 * the real library (the perl oracle) and through Stowage (tools/conformance/runner.ts), and
 * every result line must agree (tools/conformance/differ.ts).
 *
 * Layer: test (compat).
 *
 * Strategy: the scripts are written to a temporary folder and the oracle runs on them two at
 * a time in child processes while Stowage runs them in this process, one test per script.
 * The seed is `STOWAGE_CONFORMANCE_SEED` or random, and is printed; the count per family is
 * `STOWAGE_CONFORMANCE_COUNT` (default 40); `STOWAGE_CONFORMANCE_LEFT_OUT` (groups, comma
 * separated) replaces enabled.ts's LEFT_OUT for one run. Every family's generator, with
 * nothing left out but the groups the real library panics on (UNRUNNABLE_GROUPS), is also
 * checked to write scripts the real library runs to their end.
 *
 * Invariants:
 * 1. A disagreement fails with the seed, the path of the script (kept on disk with both
 *    runs' answers) and the first differing line: the operation, BDB's answer, Stowage's.
 * 2. Without Perl's BerkeleyDB module the test never passes silently: in CI (`CI=true`) it
 *    fails, elsewhere it is skipped with the reason printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FAMILIES } from '../../tools/conformance/generator/families.js';
import { type OpGroup, UNRUNNABLE_GROUPS } from '../../tools/conformance/generator/op-groups.js';
import {
  type GeneratedScript, generateScript, scriptSpecs,
} from '../../tools/conformance/generator/generate.js';
import { parseScript } from '../../tools/conformance/script.js';
import { runScript } from '../../tools/conformance/runner.js';
import { describeDifference, firstDifference } from '../../tools/conformance/differ.js';
import { type OracleRun, probeOracle, runOracle } from './oracle-process.js';
import { ENABLED_FAMILIES, LEFT_OUT } from './enabled.js';
import { tempDir } from '../support/temp-dir.js';

const SEED = Number(process.env['STOWAGE_CONFORMANCE_SEED'] ??
  Math.floor(Math.random() * 2 ** 32)) >>> 0;
const PER_FAMILY = Number(process.env['STOWAGE_CONFORMANCE_COUNT'] ?? 40);
/** `STOWAGE_CONFORMANCE_LEFT_OUT=a,b` replaces LEFT_OUT for one run (to try a flip). */
const LEFT_OUT_NOW = (process.env['STOWAGE_CONFORMANCE_LEFT_OUT']?.split(',')
  .filter((g) => g !== '') ?? LEFT_OUT) as readonly OpGroup[];
/** Scripts per family run through the oracle alone, nothing left out (generator check). */
const SANITY_PER_FAMILY = 4;

const oracle = probeOracle();

/** Runs async jobs at most `limit` at a time, in the order they were queued. */
function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    running--;
    queue.shift()?.();
  };
  return (job) => new Promise((resolve, reject) => {
    const start = (): void => {
      running++;
      job().then(resolve, reject).finally(release);
    };
    if (running < limit) start();
    else queue.push(start);
  });
}

/** A generated script on disk with its oracle run under way. */
interface Case {
  script: GeneratedScript;
  file: string;
  oracle: Promise<OracleRun>;
}

const compared = ENABLED_FAMILIES.flatMap((family) =>
  scriptSpecs(family, PER_FAMILY, SEED, LEFT_OUT_NOW).map(generateScript));
const sanity = FAMILIES.flatMap((family) =>
  scriptSpecs(family, SANITY_PER_FAMILY, SEED ^ 0x5a5a5a5a, UNRUNNABLE_GROUPS)
    .map(generateScript));

if (!oracle.available && process.env['CI'] === 'true') {
  describe('conformance with the real Berkeley DB 5.3', () => {
    it('has the oracle (Perl BerkeleyDB module) in CI', () => {
      expect.fail(`the oracle cannot run in CI: ${oracle.reason}`);
    });
  });
} else if (!oracle.available) {
  console.warn(`[conformance] skipped: ${oracle.reason}`);
  describe.skip(`conformance with the real Berkeley DB 5.3 (skipped: ${oracle.reason})`, () => {
    it('compares generated scripts', () => {});
  });
} else {
  describeConformance();
}

function describeConformance(): void {
  const cases = new Map<string, Case>();
  let dir = '';
  /** Names of the scripts that passed; the folder is kept unless every one did. */
  const passed = new Set<string>();

  beforeAll(() => {
    console.log(`[conformance] seed ${SEED} (replay with STOWAGE_CONFORMANCE_SEED=${SEED}); ` +
      `${compared.length} scripts of ${ENABLED_FAMILIES.join(', ')}, left out: ` +
      `${LEFT_OUT_NOW.join(', ') || 'nothing'}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `stowage-conformance-${SEED}-`));
    const limit = limiter(2);
    for (const script of [...compared, ...sanity]) {
      if (cases.has(script.name)) continue;
      const file = path.join(dir, `${script.name}.jsonl`);
      fs.writeFileSync(file, script.text);
      const run = limit(() => runOracle(file, `${file.slice(0, -6)}.bdb.txt`));
      run.catch(() => {});
      cases.set(script.name, { script, file, oracle: run });
    }
  });

  afterAll(() => {
    if (passed.size === cases.size) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`[conformance] failing scripts kept in ${dir} (seed ${SEED})`);
  });

  describe(`Stowage agrees with the real Berkeley DB 5.3 (seed ${SEED})`, () => {
    for (const script of compared) {
      it(script.name, async () => {
        await compare(cases.get(script.name)!);
        passed.add(script.name);
        removeCase(cases.get(script.name)!);
      });
    }
  });

  describe(`the generator writes scripts the real library runs (seed ${SEED ^ 0x5a5a5a5a})`, () => {
    for (const script of sanity) {
      it(script.name, async () => {
        const run = await cases.get(script.name)!.oracle;
        expect(run.lines, 'one answer per operation').toHaveLength(script.ops.length);
        passed.add(script.name);
        removeCase(cases.get(script.name)!);
      });
    }
  });
}

/** Runs one case through Stowage and compares it with the oracle's answers. */
async function compare(c: Case): Promise<void> {
  const expected = (await c.oracle).lines;
  const lines = parseScript(c.script.text);
  let actual: readonly string[];
  let stopped = '';
  try {
    actual = runScript(lines, tempDir());
  } catch (e) {
    const err = e as Error & { results?: readonly string[] };
    actual = err.results ?? [];
    stopped = `\nStowage stopped: ${err.message}`;
  }
  const difference = firstDifference(lines, expected, actual);
  if (difference === undefined && stopped === '') return;
  const stowageFile = `${c.file.slice(0, -6)}.stowage.txt`;
  fs.writeFileSync(stowageFile, actual.map((l) => `${l}\n`).join(''));
  expect.fail([
    `Stowage disagrees with Berkeley DB 5.3 (seed ${SEED}, ${c.script.name})`,
    `script kept at ${c.file}`,
    `  answers: ${c.file.slice(0, -6)}.bdb.txt (real library), ${stowageFile} (Stowage)`,
    difference === undefined ? '' : describeDifference(difference),
    stopped,
    `replay: ${replayEnv()} npx vitest run test/compat/conformance.test.ts`,
    `   or: npm run --silent conformance -- ${c.file}`,
  ].filter((l) => l !== '').join('\n'));
}

/** The variables that make this run again. */
function replayEnv(): string {
  const names = ['STOWAGE_CONFORMANCE_COUNT', 'STOWAGE_CONFORMANCE_LEFT_OUT'];
  const given = names.filter((n) => process.env[n] !== undefined)
    .map((n) => `${n}=${process.env[n]}`);
  return [`STOWAGE_CONFORMANCE_SEED=${SEED}`, ...given].join(' ');
}

function removeCase(c: Case): void {
  for (const suffix of ['.jsonl', '.bdb.txt', '.stowage.txt']) {
    fs.rmSync(`${c.file.slice(0, -6)}${suffix}`, { force: true });
  }
}
