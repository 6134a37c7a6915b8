// The boot trailer at the end of each image slot (docs/boot.md, "Slot trailer"): which image
// an upload is writing (its SHA-256, length, chunk size and an upload sequence number), one
// mark per chunk programmed (resume), and four flags (pending, trial, confirmed, rejected).
// Everything is written NOR-style: the record once after an erase, then only bits cleared,
// each mark and flag in its own 16-byte word, so a power cut at any point leaves a state the
// boot rules can decide: a word with any bit cleared counts as written.
import { crc32 } from "../link/crc32.ts";
import type { Board } from "../boards/board.ts";
import { slotBudget, TRAILER_MARKS_AT, TRAILER_WORD_BYTES } from "../boards/slot-budget.ts";
import type { NorFlash } from "../sim/flash.ts";

export const SLOT_NAMES = ["slot-a", "slot-b"] as const;
export type SlotIndex = 0 | 1;

/** "TKBT" */
const RECORD_MAGIC = 0x54424b54;
const RECORD_FORMAT = 1;
export const RECORD_BYTES = 64;
/** One mark or flag per word of the largest write unit the board schema allows. */
export const WORD_BYTES = TRAILER_WORD_BYTES;
const FLAGS_AT = RECORD_BYTES;
const MARKS_AT = TRAILER_MARKS_AT;

export const FLAG = { pending: 0, trial: 1, confirmed: 2, rejected: 3 } as const;
export type FlagName = keyof typeof FLAG;

export interface TrailerRecord {
  seq: number;
  imageBytes: number;
  chunk: number;
  /** SHA-256 of the whole image (.tki), the key an upload resumes by */
  sha256: Uint8Array;
}

export interface SlotTrailer {
  slot: SlotIndex;
  /** null: no valid record (erased, torn, or never written): the slot holds nothing bootable */
  record: TrailerRecord | null;
  flags: Record<FlagName, boolean>;
  /** chunks programmed from the start without a gap */
  chunksHeld: number;
}

export class SlotTrailers {
  readonly slotBytes: number;
  readonly trailerAt: number;
  readonly copyBytes: number;
  readonly maxImageBytes: number;
  /** The most chunks one upload may have: one mark word each after the record and the flags. */
  readonly maxChunks: number;
  readonly pageSize: number;
  readonly writeUnit: number;
  private readonly regions: [number, number];

  constructor(
    readonly flash: NorFlash,
    board: Board,
  ) {
    const budget = slotBudget(board);
    this.slotBytes = budget.slotBytes;
    this.trailerAt = budget.slotBytes - budget.trailerBytes;
    this.copyBytes = budget.trailerBytes / 2;
    this.maxImageBytes = budget.maxImageBytes;
    this.maxChunks = budget.maxChunks;
    this.pageSize = budget.pageSize;
    this.writeUnit = board.flash.writeUnit;
    this.regions = SLOT_NAMES.map((name) => {
      const i = flash.regionNames.indexOf(name);
      if (i < 0) throw new Error(`board ${board.name} has no ${name} partition`);
      return i;
    }) as [number, number];
  }

  region(slot: SlotIndex): number {
    return this.regions[slot];
  }

  read(slot: SlotIndex): SlotTrailer {
    const region = this.regions[slot];
    const raw = this.flash.read(region, this.trailerAt, MARKS_AT);
    const record = decodeRecord(raw.subarray(0, RECORD_BYTES));
    const flags = { pending: false, trial: false, confirmed: false, rejected: false };
    for (const name of Object.keys(FLAG) as FlagName[])
      flags[name] = written(raw.subarray(FLAGS_AT + FLAG[name] * WORD_BYTES, FLAGS_AT + FLAG[name] * WORD_BYTES + this.writeUnit));
    let chunksHeld = 0;
    if (record) {
      const count = Math.ceil(record.imageBytes / record.chunk);
      const marks = this.flash.read(region, this.trailerAt + MARKS_AT, count * WORD_BYTES);
      while (chunksHeld < count && written(marks.subarray(chunksHeld * WORD_BYTES, chunksHeld * WORD_BYTES + this.writeUnit))) chunksHeld++;
    }
    return { slot, record, flags, chunksHeld };
  }

  /**
   * Makes the slot ready for a new image: the old record is invalidated and the trailer's
   * first copy erased first (from then
   * on the slot holds nothing bootable), then every page the image will use that is not
   * already blank, then the record is written.
   */
  startUpload(slot: SlotIndex, record: TrailerRecord): void {
    const region = this.regions[slot];
    // Kill the old record's magic first: a torn erase then can never leave it readable (its
    // first word reads 00 or FF either way), whatever flags survive.
    const magic = this.flash.read(region, this.trailerAt, this.writeUnit);
    if (!magic.every((b) => b === 0)) this.flash.program(region, this.trailerAt, new Uint8Array(this.writeUnit));
    for (let at = this.trailerAt; at < this.trailerAt + this.copyBytes; at += this.pageSize) this.eraseIfUsed(region, at);
    for (let at = 0; at < record.imageBytes; at += this.pageSize) this.eraseIfUsed(region, at);
    this.flash.program(region, this.trailerAt, encodeRecord(record));
  }

  /** Programs chunk `index` (the last one padded with FF to the write unit), then its mark. */
  writeChunk(slot: SlotIndex, record: TrailerRecord, index: number, data: Uint8Array): void {
    const region = this.regions[slot];
    const padded = data.length % this.writeUnit === 0 ? data : padTo(data, Math.ceil(data.length / this.writeUnit) * this.writeUnit);
    this.flash.program(region, index * record.chunk, padded);
    this.writeWord(region, MARKS_AT + index * WORD_BYTES);
  }

  setFlag(slot: SlotIndex, flag: FlagName): void {
    this.writeWord(this.regions[slot], FLAGS_AT + FLAG[flag] * WORD_BYTES);
  }

  readImage(slot: SlotIndex, imageBytes: number): Uint8Array {
    return this.flash.read(this.regions[slot], 0, imageBytes);
  }

  /** Clears every bit of a word; also finishes a word a power cut left partly cleared. */
  private writeWord(region: number, offset: number): void {
    const at = this.trailerAt + offset;
    const current = this.flash.read(region, at, this.writeUnit);
    if (current.every((b) => b === 0)) return;
    this.flash.program(region, at, new Uint8Array(this.writeUnit));
  }

  private eraseIfUsed(region: number, at: number): void {
    const page = this.flash.read(region, at, this.pageSize);
    if (page.every((b) => b === 0xff)) return;
    this.flash.erase(region, at / this.pageSize);
  }
}

/** A word counts as written when any bit is cleared: a torn write of a flag is a written flag. */
function written(word: Uint8Array): boolean {
  return word.some((b) => b !== 0xff);
}

function padTo(data: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(0xff);
  out.set(data);
  return out;
}

export function encodeRecord(r: TrailerRecord): Uint8Array {
  const out = new Uint8Array(RECORD_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(0, RECORD_MAGIC, true);
  v.setUint16(4, RECORD_FORMAT, true);
  v.setUint32(8, r.seq, true);
  v.setUint32(12, r.imageBytes, true);
  v.setUint32(16, r.chunk, true);
  out.set(r.sha256, 20);
  v.setUint32(60, crc32(out.subarray(0, 60)), true);
  return out;
}

function decodeRecord(raw: Uint8Array): TrailerRecord | null {
  const v = new DataView(raw.buffer, raw.byteOffset, RECORD_BYTES);
  if (v.getUint32(0, true) !== RECORD_MAGIC || v.getUint16(4, true) !== RECORD_FORMAT) return null;
  if (crc32(raw.subarray(0, 60)) !== v.getUint32(60, true)) return null;
  const chunk = v.getUint32(16, true);
  const imageBytes = v.getUint32(12, true);
  if (chunk === 0 || imageBytes === 0) return null;
  return { seq: v.getUint32(8, true), imageBytes, chunk, sha256: raw.slice(20, 52) };
}
