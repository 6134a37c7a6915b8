// loadBoard/listBoards: the shipped boards load, and each kind of broken board file is
// refused with an error that names the file, the field and the rule.
import { afterAll, test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ioCapacity, listBoards, loadBoard, type BoardProblem } from "../../host-tools/src/boards/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { BOARDS_DIR } from "../../host-tools/src/paths.ts";

const tmp = mkdtempSync(join(tmpdir(), "tapkit-boards-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = () => JSON.parse(readFileSync(join(BOARDS_DIR, "sim-plaque.json"), "utf8"));

/** Writes a variant of sim-plaque as <stem>.json in the temp dir and returns its path. */
function variant(stem: string, edit: (b: any) => void): string {
  const b = base();
  b.name = stem;
  edit(b);
  const file = join(tmp, `${stem}.json`);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

test("the shipped boards load and are listed", () => {
  assert.deepEqual(listBoards(), ["qemu-m4", "sim-card", "sim-plaque"]);
  const plaque = loadBoard("sim-plaque");
  assert.equal(plaque.mode, "plaque");
  assert.equal(plaque.display?.width, 200);
  const card = loadBoard("sim-card");
  assert.equal(card.display, null);
  // The mailbox holds one APDU or a UART piece, not link frames: 512, the ABI's minimum.
  assert.equal(ioCapacity(card), 512);
  assert.equal(ioCapacity({ ...card, nfc: { ...card.nfc, maxApdu: 1000 } }), 1016);
});

test("a board loads by path as well as by name", () => {
  const b = loadBoard(variant("ok-board", () => {}));
  assert.equal(b.name, "ok-board");
});

const broken: { what: string; stem: string; edit: (b: any) => void; pointer: string; rule: RegExp }[] = [
  { what: "missing field", stem: "no-uid", edit: (b) => delete b.nfc.uid, pointer: "/nfc/uid", rule: /is required/ },
  {
    what: "a store larger than its RAM index addresses",
    stem: "big-store",
    edit: (b) => (b.flash.partitions[0].pages = 65),
    pointer: "/flash/partitions/0/pages",
    rule: /store of 266240 bytes; its RAM index addresses at most 262144 \(u16 word addresses\), so at most 64 pages of 4096 bytes/,
  },
  {
    what: "a store too small to compact",
    stem: "tiny-store",
    edit: (b) => (b.flash.partitions[0].pages = 3),
    pointer: "/flash/partitions/0/pages",
    rule: /must be at least 4 \(got 3\)/,
  },
  {
    what: "pages too small for the store's largest write",
    stem: "small-pages",
    edit: (b) => (b.flash.pageSize = 2048),
    pointer: "/flash/pageSize",
    rule: /must be at least 2072 bytes for the store \(got 2048\)/,
  },
  {
    what: "wrong type",
    stem: "bad-type",
    edit: (b) => (b.link.maxFrame = "1024"),
    pointer: "/link/maxFrame",
    rule: /must be an integer \(got string "1024"\)/,
  },
  { what: "unknown field", stem: "extra", edit: (b) => (b.flash.sectorSize = 4096), pointer: "/flash/sectorSize", rule: /is not a known field/ },
  {
    what: "bad enum",
    stem: "bad-page",
    edit: (b) => (b.flash.pageSize = 3000),
    pointer: "/flash/pageSize",
    rule: /^must be one of 256, 512, 1024, 2048, 4096, 8192 \(got 3000\)$/,
  },
  {
    what: "bad uid pattern",
    stem: "bad-uid",
    edit: (b) => (b.nfc.uid = "04a1b2c3d4e5f6"),
    pointer: "/nfc/uid",
    rule: /must match .*got "04a1b2c3d4e5f6".*upper-case hex/,
  },
  {
    what: "name mismatch",
    stem: "file-name",
    edit: (b) => (b.name = "other-name"),
    pointer: "/name",
    rule: /must equal the file name "file-name" \(got "other-name"\)/,
  },
  { what: "plaque without display", stem: "no-panel", edit: (b) => (b.display = null), pointer: "/display", rule: /is required when \/mode is "plaque"/ },
  {
    what: "display field wrong inside oneOf",
    stem: "bad-width",
    edit: (b) => (b.display.width = 2),
    pointer: "/display/width",
    rule: /must be >= 8 \(got 2\)/,
  },
  {
    what: "partition order",
    stem: "bad-part",
    edit: (b) => (b.flash.partitions[1].name = "slot-x"),
    pointer: "/flash/partitions/1/name",
    rule: /must be "slot-a" \(got "slot-x"\)/,
  },
  {
    what: "unequal A/B slots",
    stem: "ab-slots",
    edit: (b) => (b.flash.partitions[2].pages = 31),
    pointer: "/flash/partitions/2/pages",
    rule: /must equal slot-a's 32 pages/,
  },
  {
    what: "image slots that hold only the boot trailer",
    stem: "trailer-only",
    edit: (b) => (b.flash.partitions[1].pages = b.flash.partitions[2].pages = 2),
    pointer: "/flash/partitions/1/pages",
    rule: /slots of 8192 bytes, which cannot hold the 8192-byte boot trailer and an image of at least 1024 bytes \(raise slot-a and slot-b to at least 3 pages\)/,
  },
  {
    what: "image slots larger than the trailer's chunk marks cover",
    stem: "marks-short",
    edit: (b) => (b.flash.partitions[1].pages = b.flash.partitions[2].pages = 64),
    pointer: "/flash/partitions/1/pages",
    rule: /largest image of 253952 bytes, 265 upload chunks of 960 bytes, more than the 248 chunk marks/,
  },
];

for (const c of broken) {
  test(`broken board is refused: ${c.what}`, () => {
    const file = variant(c.stem, c.edit);
    let err: unknown;
    try {
      loadBoard(file);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TapkitError, `expected a TapkitError, got ${String(err)}`);
    assert.equal(err.code, "BOARD_INVALID");
    assert.equal(err.exitCode, 9);
    const problems = err.details.problems as BoardProblem[];
    const hit = problems.find((p) => p.pointer === c.pointer);
    assert.ok(hit, `no problem at ${c.pointer}; got ${JSON.stringify(problems)}`);
    assert.match(hit.rule, c.rule);
    assert.ok(err.message.includes(`${c.stem}.json: ${c.pointer} `), err.message);
    assert.ok(err.hint.length > 0);
  });
}

test("the bad-enum message reads as one plain sentence", () => {
  const file = variant("page-x", (b) => (b.flash.pageSize = 3000));
  assert.throws(
    () => loadBoard(file),
    (e: any) => e.message === `${file}: /flash/pageSize must be one of 256, 512, 1024, 2048, 4096, 8192 (got 3000)`,
  );
});

test("unknown board name and non-JSON files get their own codes and hints", () => {
  assert.throws(
    () => loadBoard("no-such-board"),
    (e: any) => e.code === "BOARD_NOT_FOUND" && /sim-plaque/.test(e.hint),
  );
  const file = join(tmp, "junk.json");
  writeFileSync(file, "{ name: 1, }");
  assert.throws(
    () => loadBoard(file),
    (e: any) => e.code === "BOARD_NOT_JSON" && e.message.includes("junk.json"),
  );
});
