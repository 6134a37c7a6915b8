// Simulated NOR flash: the board's partitions as regions (0 store, 1 slot A, 2 slot B),
// NOR rules enforced (program = old & new; a 0->1 bit is refused and counted), erase
// cycles counted per page, optional write-through persistence in a state directory, and a
// seeded fault model that can cut power before, during or after any program or erase.

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Board } from "../boards/board.ts";
import { E_ALIGN, E_NOR, E_RANGE, HalFault } from "./hal-codes.ts";
import { SeededRandom } from "./seeded-random.ts";
import { PowerCut } from "./sim-errors.ts";
import { TapkitError } from "../errors/index.ts";

export interface FlashGeometry {
  pageSize: number;
  pageCount: number;
  writeUnit: number;
  eraseCycles: number;
}

export type FlashOpKind = "program" | "erase";

/** One program or erase that passed the argument checks and is about to reach the cells. */
export interface FlashOperation {
  /** 1-based count of accepted program/erase operations since this flash was opened */
  index: number;
  kind: FlashOpKind;
  region: number;
  offset: number;
  length: number;
}

export type CutDecision = "continue" | "cut-before" | "cut-during" | "cut-after";
export type CutPhase = "before" | "during" | "after";

export interface FlashOptions {
  /** keep the cells and counters in this directory, written through on every change */
  stateDir?: string;
  /** seed for torn writes and partial erases (default 1) */
  seed?: number;
}

const STATE_FORMAT = "tapkit-sim-flash/1";

interface FlashStateFile {
  format: string;
  note: string;
  pageSize: number;
  writeUnit: number;
  regions: { name: string; pages: number; eraseCounts: number[] }[];
  norViolations: number;
}

export class NorFlash {
  readonly pageSize: number;
  readonly writeUnit: number;
  readonly eraseCycles: number;
  readonly regionNames: string[];
  private readonly cells: Uint8Array[];
  private readonly eraseCounts: Uint32Array[];
  private readonly fds: (number | null)[];
  private readonly stateDir: string | undefined;
  private readonly random: SeededRandom;
  private violations = 0;
  private opCount = 0;
  private decide: ((op: FlashOperation) => CutDecision) | null = null;

  constructor(flash: Board["flash"], options: FlashOptions = {}) {
    this.pageSize = flash.pageSize;
    this.writeUnit = flash.writeUnit;
    this.eraseCycles = flash.eraseCycles;
    this.regionNames = flash.partitions.map((p) => p.name);
    this.cells = flash.partitions.map((p) => new Uint8Array(p.pages * flash.pageSize).fill(0xff));
    this.eraseCounts = flash.partitions.map((p) => new Uint32Array(p.pages));
    this.fds = flash.partitions.map(() => null);
    this.random = new SeededRandom(options.seed ?? 1);
    this.stateDir = options.stateDir;
    if (this.stateDir) this.attachState(this.stateDir);
  }

  /** NOR-rule violations refused so far (firmware bugs: a program tried to set a 0 bit to 1). */
  get norViolations(): number {
    return this.violations;
  }

  /** Accepted program/erase operations so far; the numbering cutPowerAt and onOperation use. */
  get operations(): number {
    return this.opCount;
  }

  geometry(region: number): FlashGeometry {
    const cells = this.region(region);
    return { pageSize: this.pageSize, pageCount: cells.length / this.pageSize, writeUnit: this.writeUnit, eraseCycles: this.eraseCycles };
  }

  read(region: number, offset: number, length: number): Uint8Array {
    const cells = this.region(region);
    this.checkSpan(cells, offset, length);
    return cells.slice(offset, offset + length);
  }

  program(region: number, offset: number, data: Uint8Array): void {
    const cells = this.region(region);
    this.checkSpan(cells, offset, data.length);
    if (offset % this.writeUnit !== 0 || data.length % this.writeUnit !== 0) {
      throw new HalFault(E_ALIGN, `program at ${offset}+${data.length} is not a multiple of the ${this.writeUnit}-byte write unit`);
    }
    for (let i = 0; i < data.length; i++) {
      if (~cells[offset + i] & data[i] & 0xff) {
        this.violations++;
        this.saveCounters();
        throw new HalFault(E_NOR, `program would set a 0 bit to 1 at region ${region} offset ${offset + i}`);
      }
    }
    const op = this.nextOperation("program", region, offset, data.length);
    const decision = this.decide ? this.decide(op) : "continue";
    if (decision === "cut-before") throw new PowerCut(op.index, "before", "program");
    if (decision === "cut-during") {
      // Each intended 1->0 clear independently happened or not: the result lies bitwise
      // between old and old & new, which is what a store must survive.
      for (let i = 0; i < data.length; i++) {
        const clears = cells[offset + i] & ~data[i] & 0xff;
        cells[offset + i] &= ~(clears & this.random.nextU32()) & 0xff;
      }
      this.persistRange(region, offset, data.length);
      throw new PowerCut(op.index, "during", "program");
    }
    for (let i = 0; i < data.length; i++) cells[offset + i] &= data[i];
    this.persistRange(region, offset, data.length);
    if (decision === "cut-after") throw new PowerCut(op.index, "after", "program");
  }

  erase(region: number, page: number): void {
    const cells = this.region(region);
    const pages = cells.length / this.pageSize;
    if (!Number.isInteger(page) || page < 0 || page >= pages) {
      throw new HalFault(E_RANGE, `page ${page} outside region ${region} (${pages} pages)`);
    }
    const start = page * this.pageSize;
    const op = this.nextOperation("erase", region, start, this.pageSize);
    const decision = this.decide ? this.decide(op) : "continue";
    if (decision === "cut-before") throw new PowerCut(op.index, "before", "erase");
    this.eraseCounts[region][page]++;
    if (decision === "cut-during") {
      // A random subset of write units reached FF; the rest kept their old bits.
      for (let unit = start; unit < start + this.pageSize; unit += this.writeUnit) {
        if (this.random.nextU32() & 1) cells.fill(0xff, unit, unit + this.writeUnit);
      }
    } else {
      cells.fill(0xff, start, start + this.pageSize);
    }
    this.persistRange(region, start, this.pageSize);
    this.saveCounters();
    if (decision === "cut-during") throw new PowerCut(op.index, "during", "erase");
    if (decision === "cut-after") throw new PowerCut(op.index, "after", "erase");
  }

  eraseCount(region: number, page: number): number {
    this.region(region);
    return this.eraseCounts[region][page] ?? 0;
  }

  /** The highest erase count of any page (wear-levelling reports). */
  maxEraseCount(): number {
    return Math.max(0, ...this.eraseCounts.map((c) => Math.max(0, ...c)));
  }

  /**
   * Cut power at the op-th accepted program/erase from now (1 = the next one), in the given
   * phase. Replaces any earlier hook; fires once.
   */
  cutPowerAt(cut: { op: number; phase: CutPhase }): void {
    const target = this.opCount + cut.op;
    this.onOperation((op) => {
      if (op.index !== target) return "continue";
      this.decide = null;
      return `cut-${cut.phase}` as CutDecision;
    });
  }

  /** Ask `decide` about every accepted program/erase (null removes the hook). */
  onOperation(decide: ((op: FlashOperation) => CutDecision) | null): void {
    this.decide = decide;
  }

  close(): void {
    for (let i = 0; i < this.fds.length; i++) {
      const fd = this.fds[i];
      if (fd !== null) closeSync(fd);
      this.fds[i] = null;
    }
  }

  private region(region: number): Uint8Array {
    const cells = Number.isInteger(region) ? this.cells[region] : undefined;
    if (!cells) throw new HalFault(E_RANGE, `no flash region ${region} (board has ${this.cells.length})`);
    return cells;
  }

  private checkSpan(cells: Uint8Array, offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > cells.length) {
      throw new HalFault(E_RANGE, `bytes ${offset}..${offset + length} outside the region (${cells.length} bytes)`);
    }
  }

  private nextOperation(kind: FlashOpKind, region: number, offset: number, length: number): FlashOperation {
    this.opCount++;
    return { index: this.opCount, kind, region, offset, length };
  }

  private attachState(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const metaPath = join(dir, "flash.json");
    if (existsSync(metaPath)) {
      const meta = JSON.parse(readFileSync(metaPath, "utf8")) as FlashStateFile;
      const sameShape =
        meta.format === STATE_FORMAT &&
        meta.pageSize === this.pageSize &&
        meta.regions.length === this.cells.length &&
        meta.regions.every((r, i) => r.pages * this.pageSize === this.cells[i].length);
      if (!sameShape) {
        throw new TapkitError(
          "SIM_STATE_MISMATCH",
          `flash state in ${dir} was made for a different flash geometry`,
          "use a fresh --state directory for this board, or delete the old one",
        );
      }
      meta.regions.forEach((r, i) => this.eraseCounts[i].set(r.eraseCounts));
      this.violations = meta.norViolations;
    }
    this.regionNames.forEach((name, i) => {
      const path = join(dir, `flash-${name}.bin`);
      if (!existsSync(path)) writeFileSync(path, this.cells[i]);
      const fd = openSync(path, "r+");
      if (fstatSync(fd).size !== this.cells[i].length) {
        closeSync(fd);
        throw new TapkitError("SIM_STATE_MISMATCH", `${path} has the wrong size for this board`, "use a fresh --state directory for this board");
      }
      readSync(fd, this.cells[i], 0, this.cells[i].length, 0);
      this.fds[i] = fd;
    });
    this.saveCounters();
  }

  // Synchronous writes: once an import has returned, a killed simulator has the bytes.
  private persistRange(region: number, offset: number, length: number): void {
    const fd = this.fds[region];
    if (fd !== null) writeSync(fd, this.cells[region], offset, length, offset);
  }

  private saveCounters(): void {
    if (!this.stateDir) return;
    const state: FlashStateFile = {
      format: STATE_FORMAT,
      note: "tapkit simulator flash counters; cells are in flash-<region>.bin",
      pageSize: this.pageSize,
      writeUnit: this.writeUnit,
      regions: this.regionNames.map((name, i) => ({ name, pages: this.eraseCounts[i].length, eraseCounts: [...this.eraseCounts[i]] })),
      norViolations: this.violations,
    };
    const path = join(this.stateDir, "flash.json");
    writeFileSync(`${path}.tmp`, JSON.stringify(state));
    renameSync(`${path}.tmp`, path);
  }
}
