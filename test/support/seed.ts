/**
 * Seeds for property tests: `FC_SEED` replays a run; otherwise a fresh seed is drawn and
 * printed so a failure can be replayed.
 */
export function propertySeed(label: string): number {
  const seed = Number(process.env['FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`[${label}] fast-check seed ${seed} (replay with FC_SEED=${seed})`);
  return seed;
}

/** Scales the number of property runs: `PROP_SCALE=10` for a long soak. */
export function scaled(runs: number): number {
  return Math.max(1, Math.round(runs * Number(process.env['PROP_SCALE'] ?? 1)));
}
