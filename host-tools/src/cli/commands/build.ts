// tapkit build: one firmware.wasm per board, with the ABI, MVP-feature and memory gates.
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { type Output, table, usageError } from "../output.ts";
import { listBoards, loadBoard } from "../../boards/index.ts";
import { buildFirmware, type MemoryMap, type MapSummaryLine, summariseMemoryMap } from "../../build/index.ts";
import { BUILD_SIGN_OPTIONS, buildSigningOptions, signBuiltFirmware } from "./image.ts";

export const build: Command = {
  name: "build",
  summary: "build firmware for a board (or all boards) and check it against the HAL ABI",
  usage: "tapkit build [--board NAME | --all] [--map] [--sign KEYFILE [--security-counter N]] [--json]",
  examples: [
    "tapkit build --board sim-card --map   # where the linear memory goes, largest users first",
    "tapkit build --board sim-plaque",
    "tapkit build --all --json",
    "tapkit build --all --sign keys/release.pem   # also build/<board>/firmware.tki",
  ],
  options: {
    board: { type: "string", short: "b", help: "board name (boards/NAME.json) or path to a board file; default sim-plaque" },
    all: { type: "boolean", help: "build every board in boards/" },
    map: { type: "boolean", help: "list the static data per source module and kind (buffer, table, string); --json adds every region" },
    ...BUILD_SIGN_OPTIONS,
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (opts.all && opts.board) throw usageError("give either --board or --all, not both", "tapkit build --all");
    const names: string[] = opts.all ? listBoards() : [opts.board ?? "sim-plaque"];
    const signing = buildSigningOptions(opts);
    const results = [];
    for (const name of names) {
      const board = loadBoard(name);
      out.status(`building ${board.name} ...`);
      const r = await buildFirmware(board, { quiet: true });
      results.push({ ...r, image: signing ? await signBuiltFirmware(r, board, signing) : undefined });
    }
    out.result(
      results.map((r) => ({
        board: r.board,
        wasm: r.wasmPath,
        size: r.size,
        imports: r.imports.map((i: any) => `${i.module}.${i.name}`),
        memory: r.memory,
        heapBase: r.staticData.heapBase,
        optimized: r.optimized,
        ...(opts.map ? { memoryMap: { ...r.staticData, summary: summariseMemoryMap(r.staticData) } } : {}),
        ...(r.image ? { image: r.image } : {}),
      })),
      (rows) => {
        out.line(
          table([
            ["board", "bytes", "imports", "memory (pages)", "linear memory used", "file"],
            ...rows.map((r: any) => [r.board, String(r.size), String(r.imports.length), `${r.memory.initial}..${r.memory.maximum}`, `${r.heapBase} B`, r.wasm]),
          ]),
        );
        for (const r of rows) out.line(`${r.board}: Binaryen -Oz round on asc's output ${r.optimized.bytesBefore} -> ${r.optimized.bytesAfter} B`);
        for (const r of rows) if (r.memoryMap) printMemoryMap(out, r.board, r.memoryMap);
        for (const r of rows)
          if (r.image)
            out.line(
              `signed ${r.image.file}: ${r.image.imageBytes} bytes, version ${r.image.version}, security counter ${r.image.securityCounter}, key id ${r.image.kid}`,
            );
      },
    );
  },
};

/** The map as a table: one line per source module and kind, largest first, with the total. */
function printMemoryMap(out: Output, board: string, map: MemoryMap & { summary: MapSummaryLine[] }): void {
  const kinds = ["buffer", "table", "string"].map((k) => `${k}s ${map.regions.filter((r) => r.kind === k).reduce((n, r) => n + r.bytes, 0)} B`);
  out.line(
    `\n${board}: linear memory 0..${map.heapBase} (__heap_base), static data ends at ${map.dataEnd}; ${kinds.join(", ")}; alignment and the null page make up the rest`,
  );
  out.line(table([["bytes", "kind", "regions", "owner"], ...map.summary.map((l) => [String(l.bytes), l.kind, String(l.regions), l.owner])]));
}

export const boards: Command = {
  name: "boards",
  summary: "list the board definitions and check them against the schema",
  usage: "tapkit boards [--json]",
  examples: ["tapkit boards", "tapkit boards --json"],
  options: { ...JSON_OPTION },
  async run(_opts, _pos, out) {
    const list = listBoards().map((n) => loadBoard(n));
    out.result(list, (bs) =>
      out.line(
        table([
          ["board", "mode", "display", "nfc", "baud", "description"],
          ...bs.map((b: any) => [
            b.name,
            b.mode,
            b.display ? `${b.display.width}x${b.display.height}` : "-",
            b.nfc.personalities.join("+"),
            String(b.link.baud),
            b.description ?? "",
          ]),
        ]),
      ),
    );
  },
};
