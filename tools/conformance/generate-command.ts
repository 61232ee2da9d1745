/**
 * The CLI's `--generate DIR` command: writes seeded oracle scripts (generator/) to a folder,
 * to run through the real library (`perl test/compat/oracle/bdb_oracle.pl < X.jsonl`) and
 * through Stowage (`npm run --silent conformance -- X.jsonl`) and compare.
 *
 * Layer: conformance tooling (user-facing).
 *
 * Invariants:
 * 1. The seed is printed on stderr; the same seed, families and count write the same files.
 * 2. stdout lists the written files, one path a line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Family, FAMILIES } from './generator/families.js';
import { type OpGroup } from './generator/op-groups.js';
import { generateScript, scriptSpecs } from './generator/generate.js';

export interface GenerateRequest {
  dir: string;
  families: readonly Family[];
  count: number;
  seed: number;
  exclude: readonly OpGroup[];
}

/** True when `name` is a family name. */
export function isFamily(name: string): name is Family {
  return (FAMILIES as readonly string[]).includes(name);
}

/** Writes the scripts; returns the exit status. */
export function generateCommand(request: GenerateRequest): number {
  fs.mkdirSync(request.dir, { recursive: true });
  process.stderr.write(`conformance: generating with seed ${request.seed}\n`);
  for (const family of request.families) {
    for (const spec of scriptSpecs(family, request.count, request.seed, request.exclude)) {
      const script = generateScript(spec);
      const file = path.join(request.dir, `${script.name}.jsonl`);
      fs.writeFileSync(file, script.text);
      process.stdout.write(`${file}\n`);
    }
  }
  return 0;
}
