/**
 * Images of slotted pages as log records carry them: the bytes from the end of the LSN to
 * the end of the slot array (`low`), and the item heap (`high`, from `heap` to the end). The
 * gap between them is free space, whose bytes mean nothing.
 *
 * Layer: am/common (rank 5).
 */
import {
  PAGE_HEADER_SIZE, SLOT_SIZE, getHeapStart, getSlotCount, pageOf,
} from '../../page/index.js';
import { IMAGE_START } from './page-records.js';

/** [heap, low, high] of the page bytes `data` (views, not copies). */
export function imageParts(data: Uint8Array): [number, Uint8Array, Uint8Array] {
  const page = pageOf(data);
  const slotsEnd = PAGE_HEADER_SIZE + getSlotCount(page) * SLOT_SIZE;
  let heap = getHeapStart(page);
  // A page that was never formatted (all zeros) has no heap: keep only its header.
  if (heap < slotsEnd || heap > data.length) heap = data.length;
  return [heap, data.subarray(IMAGE_START, slotsEnd), data.subarray(heap)];
}
