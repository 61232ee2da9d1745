/**
 * The structural check of a slotted page's slot array and heap, shared by the access
 * methods' verifiers: slots inside the heap, items not overlapping, and live plus garbage
 * bytes adding up to the heap.
 *
 * Layer: am/common (rank 5).
 */
import type { Page } from '../../page/index.js';
import {
  PAGE_HEADER_SIZE, SLOT_SIZE, getGarbage, getHeapStart, getSlotCount, slotLength, slotOffset,
} from '../../page/index.js';

/** What is wrong with page `p`'s slots and heap (one line each; empty when sound). */
export function slotProblems(p: Page, pgnoLabel: number): string[] {
  const problems: string[] = [];
  const count = getSlotCount(p);
  const size = p.data.length;
  const slotsEnd = PAGE_HEADER_SIZE + count * SLOT_SIZE;
  const heap = getHeapStart(p);
  if (heap < slotsEnd || heap > size) {
    problems.push(`page ${pgnoLabel}: heap start ${heap} invalid`);
  }
  const spans: [number, number][] = [];
  let live = 0;
  for (let i = 0; i < count; i++) {
    const off = slotOffset(p, i);
    const len = slotLength(p, i);
    if (off < heap || off + len > size) {
      problems.push(`page ${pgnoLabel}: slot ${i} out of bounds`);
    }
    spans.push([off, off + len]);
    live += len;
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) problems.push(`page ${pgnoLabel}: items overlap`);
  }
  if (live + getGarbage(p) !== size - heap) {
    problems.push(`page ${pgnoLabel}: ${live} live + ${getGarbage(p)} garbage bytes ` +
      `!= heap of ${size - heap}`);
  }
  return problems;
}
