// A case made from a row of a spec table: a tag set-up, then APDUs with the answer each must
// get. Families of Type 4 and ISO/IEC 7816-4 cases (t4t-*.ts, iso7816.ts) are tables of
// these rows, so the table reads like the standard's own and every row keeps its own id,
// reference and checks.
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";
import { encodeMessage, uriRecord } from "../../../host-tools/src/ndef/index.ts";
import { apdu, STATIC, WRITABLE, withTag } from "../tag-session.ts";

/**
 * One step: an APDU in hex and what must come back: a status word ("6A82": exactly those 2
 * bytes, or any data then 9000 for "9000"), "=HEX" the exact answer, "#N/SW" N data bytes
 * then SW, "6700|6A82" either status word. "TAP" drops the field (new reader session).
 */
export type Step = [command: string, expect: string] | "TAP";

export interface ScriptRow {
  id: string;
  title: string;
  ref: string;
  tags?: string[];
  /** tag content for the case: read-only static URL (default), writable, or a long message */
  tag?: "static" | "writable" | "long";
  /** nfc-test only (e.g. APDUs shorter than the 4 bytes a PC/SC reader carries) */
  linkOnly?: boolean;
  steps: Step[];
}

const LONG_MESSAGE = encodeMessage([uriRecord(`https://pay.example.com/${"y".repeat(700)}`)]);
/** NLEN of the "long" tag set-up, as 4 hex digits. */
export const LONG_NLEN = LONG_MESSAGE.length.toString(16).padStart(4, "0").toUpperCase();
const LONG = () => ({ m: LONG_MESSAGE, mode: 0, writable: false });

export function checkAnswer(got: string, want: string, why: string): void {
  if (want.startsWith("=")) {
    assert.equal(got, want.slice(1), why);
  } else if (want.startsWith("#")) {
    const [n, sw] = want.slice(1).split("/");
    assert.equal(got.slice(-4), sw, `${why}: status word`);
    assert.equal((got.length - 4) / 2, Number(n), `${why}: data bytes`);
  } else if (want === "9000") {
    assert.equal(got.slice(-4), "9000", `${why}: answered ${got}`);
  } else {
    assert.ok(want.split("|").includes(got), `${why}: answered ${got}, expected ${want.replace("|", " or ")} alone`);
  }
}

export function scriptCase(area: string, row: ScriptRow): ConformanceCase {
  return {
    id: row.id,
    area,
    title: row.title,
    ref: row.ref,
    tags: row.tags,
    async run(ctx: CaseContext) {
      if (row.linkOnly && ctx.nfc.kind === "pcsc") ctx.notApplicable("a PC/SC reader does not carry APDUs shorter than 4 bytes");
      const config = row.tag === "writable" ? WRITABLE() : row.tag === "long" ? LONG() : STATIC();
      await withTag(ctx, config, async () => {
        for (const [i, step] of row.steps.entries()) {
          if (step === "TAP") {
            await ctx.nfc.newTap();
            continue;
          }
          const [command, want] = step;
          checkAnswer(await apdu(ctx, command), want, `step ${i + 1} ${command}`);
        }
      });
    },
  };
}
