/**
 * Parses the `DB_CONFIG` file of an environment home: Berkeley DB's way of overriding the
 * configuration an application compiled in, without recompiling it.
 *
 * Layer: env (rank 6).
 *
 * Supported lines (one directive per line, `#` starts a comment):
 * - `set_cachesize <gbytes> <bytes> [ncache]` — page cache budget (ncache is accepted, ignored)
 * - `set_pagesize <bytes>` — page size for new databases (a Stowage extension)
 * - `set_lg_max <bytes>` — maximum size of one log file
 * - `set_flags DB_TXN_NOSYNC` / `set_flags DB_TXN_WRITE_NOSYNC` — durability 'none' / 'write'
 * - `set_flags DB_LOG_AUTO_REMOVE [on|off]` — remove unneeded log files after each checkpoint
 *   (on by default in Stowage; `off` keeps every log, see docs/architecture.md section 7)
 *
 * A `set_flags` line may end with `on` (the default) or `off`, as in Berkeley DB; only the
 * log flag can be turned off, since the durability flags have no off state to return to.
 *
 * Invariants:
 * 1. An unknown directive or a malformed value is an `InvalidArgumentError` naming the line.
 */
import { InvalidArgumentError } from '../util/index.js';

/** Settings a `DB_CONFIG` file may override. */
export interface DbConfigOverrides {
  cacheSize?: number;
  pageSize?: number;
  logFileSize?: number;
  durability?: 'none' | 'write';
  logAutoRemove?: boolean;
}

function parseCount(text: string | undefined, line: number, what: string): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`DB_CONFIG line ${line}: ${what} needs a whole number`);
  }
  return value;
}

/** Applies one `set_flags <flag> [on|off]` line. */
function applyFlag(out: DbConfigOverrides, args: string[], line: number): void {
  const [flag, state = 'on', ...rest] = args;
  if ((state !== 'on' && state !== 'off') || rest.length > 0) {
    throw new InvalidArgumentError(`DB_CONFIG line ${line}: set_flags takes a flag, then on/off`);
  }
  const on = state === 'on';
  if (flag === 'DB_LOG_AUTO_REMOVE') out.logAutoRemove = on;
  else if (flag === 'DB_TXN_NOSYNC' && on) out.durability = 'none';
  else if (flag === 'DB_TXN_WRITE_NOSYNC' && on) out.durability = 'write';
  else {
    throw new InvalidArgumentError(
      `DB_CONFIG line ${line}: unsupported flag ${flag}${on ? '' : ' off'} (supported: ` +
        'DB_TXN_NOSYNC, DB_TXN_WRITE_NOSYNC, DB_LOG_AUTO_REMOVE [on|off])',
    );
  }
}

/** Parses the text of a `DB_CONFIG` file. */
export function parseDbConfig(text: string): DbConfigOverrides {
  const out: DbConfigOverrides = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const words = lines[i]!.replace(/#.*/, '').trim().split(/\s+/).filter((w) => w);
    if (words.length === 0) continue;
    const [directive, ...args] = words;
    const line = i + 1;
    switch (directive) {
      case 'set_cachesize': {
        const gbytes = parseCount(args[0], line, 'set_cachesize gbytes');
        const bytes = parseCount(args[1], line, 'set_cachesize bytes');
        out.cacheSize = gbytes * 2 ** 30 + bytes;
        break;
      }
      case 'set_pagesize':
        out.pageSize = parseCount(args[0], line, 'set_pagesize');
        break;
      case 'set_lg_max':
        out.logFileSize = parseCount(args[0], line, 'set_lg_max');
        break;
      case 'set_flags':
        applyFlag(out, args, line);
        break;
      default:
        throw new InvalidArgumentError(
          `DB_CONFIG line ${line}: unknown directive '${directive}' (supported: set_cachesize, ` +
            'set_pagesize, set_lg_max, set_flags)',
        );
    }
  }
  return out;
}
