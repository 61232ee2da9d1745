/**
 * Page checksums: computed when the cache writes a page, verified when it reads one.
 *
 * Layer: page (rank 1).
 *
 * Invariants:
 * 1. The checksum covers bytes 4..pageSize (everything but itself).
 * 2. An all-zero page (never written) passes: it stands for an empty page with LSN 0.
 */
import { crc32 } from '../util/index.js';
import { type Page, getChecksum, setChecksum } from './header.js';

/** Computes and stores the checksum of `page`. */
export function sealPage(page: Page): void {
  setChecksum(page, crc32(page.data.subarray(4)));
}

/** True when the stored checksum matches the contents, or the page is all zeros. */
export function pageChecksumOk(page: Page): boolean {
  const stored = getChecksum(page);
  if (stored === crc32(page.data.subarray(4))) return true;
  return stored === 0 && isAllZero(page.data);
}

/** True when every byte is zero. */
export function isAllZero(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}
