/**
 * The Stowage demo (`npm start`): opens an environment in the folder given as the first
 * argument (default `./stowage-demo-data`), keeps a small user catalogue and a city index in
 * two `PersistentMap`s, changes them in transactions, and prints a few figures. Run it twice:
 * the second run finds what the first one stored.
 *
 * It imports the library by its package name (`stowage`), which resolves to the built
 * `dist/` through the `exports` of package.json, exactly as an application would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Environment, type PersistentMap } from 'stowage';

/** A catalogue record: a plain object, stored by the default value codec (structured clone). */
interface User {
  name: string;
  city: string;
  joined: Date;
  tags: Set<string>;
}

const SEED: [string, string, string][] = [
  ['u001', 'Ada Lovelace', 'London'],
  ['u002', 'Grace Hopper', 'New York'],
  ['u003', 'Edsger Dijkstra', 'Amsterdam'],
  ['u004', 'Barbara Liskov', 'Boston'],
  ['u005', 'Margaret Hamilton', 'Boston'],
  ['u006', 'Donald Knuth', 'Stanford'],
  ['u007', 'Frances Allen', 'New York'],
  ['u008', 'Tony Hoare', 'London'],
];

const home = process.argv[2] ?? './stowage-demo-data';
const started = performance.now();
const env = Environment.open(home);

try {
  run(env);
} finally {
  env.close();
}
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
  'run it again to see the data survive');

function run(env: Environment): void {
  const meta = env.openMap<string, number | string>('meta');
  const users = env.openMap<string, User>('users');
  // A secondary index kept by hand: key `${city}/${id}`, value the user id.
  const byCity = env.openMap<string, string>('users-by-city');

  console.log(`Stowage demo: environment ${env.home}`);
  if (env.wasUnclean) {
    const undone = env.recovery?.losers ?? 0;
    console.log(`  the previous run did not close cleanly: recovery ran (${undone} txn undone)`);
  }

  const previousRun = meta.get('runs') as number | undefined;
  if (previousRun === undefined) {
    console.log('  first run: nothing stored yet, seeding the catalogue');
  } else {
    console.log(`  found run #${previousRun} (at ${String(meta.get('lastRunAt'))}), ` +
      `which left ${users.size} users`);
  }

  // One transaction: the run counter, a new user and its index entry commit together.
  const runNo = env.transaction(() => {
    if (previousRun === undefined) {
      for (const [id, name, city] of SEED) addUser(users, byCity, id, name, city);
    }
    const n = (previousRun ?? 0) + 1;
    addUser(users, byCity, `guest-${String(n).padStart(3, '0')}`, `Guest of run ${n}`, 'Lisbon');
    meta.set('runs', n);
    meta.set('lastRunAt', new Date().toISOString());
    return n;
  });
  console.log(`  this is run #${runNo}: ${users.size} users, ${byCity.size} index entries`);

  const ada = users.get('u001');
  if (ada) {
    console.log(`  users.get('u001') -> ${ada.name}, ${ada.city}, joined ` +
      `${ada.joined.toISOString().slice(0, 10)}, tags ${[...ada.tags].join(',')}`);
  }
  const first = users.first();
  const last = users.last();
  console.log(`  key order: first ${first?.[0]}, last ${last?.[0]}`);
  const inBoston = [...byCity.range({ gte: 'Boston/', lt: 'Boston0' })].map(([, id]) => id);
  console.log(`  range('Boston/'..'Boston0') on the index -> ${inBoston.join(', ')}`);

  // An explicit transaction that is aborted: its change is undone.
  const txn = env.begin();
  users.delete('u001');
  const insideSize = users.size;
  txn.abort();
  console.log(`  delete inside an aborted txn: size ${insideSize} inside, ` +
    `u001 still there after abort: ${users.has('u001')}`);

  figures(env, users.size, byCity.size);
}

function addUser(
  users: PersistentMap<string, User>, byCity: PersistentMap<string, string>,
  id: string, name: string, city: string,
): void {
  const user: User = { name, city, joined: new Date(), tags: new Set(['demo', city]) };
  users.set(id, user);
  byCity.set(`${city}/${id}`, id);
}

function figures(env: Environment, userCount: number, indexCount: number): void {
  const scratch = env.openMap<number, { n: number; label: string }>('scratch');
  const count = 20_000;
  const setsPerSecond = timed(count, () => env.transaction(() => {
    for (let i = 0; i < count; i++) scratch.set(i, { n: i, label: `item ${i}` });
  }));
  let found = 0;
  const getsPerSecond = timed(count, () => {
    for (let i = 0; i < count; i++) if (scratch.get(i) !== undefined) found++;
  });
  if (found !== count) throw new Error(`read back ${found} of ${count} records`);
  const commits = 100;
  const commitsPerSecond = timed(commits, () => {
    for (let i = 0; i < commits; i++) scratch.set(i, { n: -i, label: 'durable' });
  });
  const cache = env.stat().cache;
  env.checkpoint(); // writes the cached pages, so the file sizes below are real
  const disk = diskUsage(env.home);

  console.log('figures');
  row('records', `${userCount} users, ${indexCount} index entries, ${scratch.size} scratch`);
  row('on disk', `databases ${kib(disk.dataBytes)} in ${disk.dataFiles} files, ` +
    `log ${kib(disk.logBytes)} in ${disk.logFiles} file(s) (preallocated)`);
  const hitRate = cache.requests === 0 ? 0 : (100 * cache.hits) / cache.requests;
  row('cache hit rate', `${hitRate.toFixed(1)}% of ${cache.requests} page requests`);
  row('set', `${rate(setsPerSecond)} ops/s (${count} sets in one transaction)`);
  row('get', `${rate(getsPerSecond)} ops/s (${count} gets outside a transaction)`);
  row('durable commit', `${rate(commitsPerSecond)} commits/s (${commits} auto-commit sets, ` +
    'fsync each)');
}

/** Runs `fn` once and returns `ops` per second. */
function timed(ops: number, fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (ops * 1000) / Math.max(performance.now() - t0, 0.001);
}

function diskUsage(dir: string) {
  const usage = { dataBytes: 0, dataFiles: 0, logBytes: 0, logFiles: 0 };
  for (const name of fs.readdirSync(dir)) {
    const size = fs.statSync(path.join(dir, name)).size;
    if (name.endsWith('.db')) {
      usage.dataBytes += size;
      usage.dataFiles++;
    } else if (/^log\.\d+$/.test(name)) {
      usage.logBytes += size;
      usage.logFiles++;
    }
  }
  return usage;
}

function row(label: string, text: string): void {
  console.log(`  ${label.padEnd(15)} ${text}`);
}

function rate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US');
}

function kib(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}
