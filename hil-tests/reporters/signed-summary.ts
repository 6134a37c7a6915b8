// The signed summary a lab files next to its JSON report: a COSE_Sign1 (RFC 9052 §4.2,
// host-tools/src/cose) whose payload is a deterministic-CBOR map holding the SHA-256 of the
// JSON report's bytes and the run's headline (board, firmware hash, seed, verdict counts).
// Anyone with the lab's public key checks it offline: the signature over the payload, then
// the digest against the report file, so an edit to either is caught.
import { createHash } from "node:crypto";
import { decodeDet, encodeDet } from "../../host-tools/src/cose/det-cbor.ts";
import { checkSign1, decodeSign1, signSign1 } from "../../host-tools/src/cose/cose-sign1.ts";
import { keyId, type Signer } from "../../host-tools/src/cose/sig-alg.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import type { SuiteResult } from "../runner.ts";

export const SUMMARY_FORMAT = "tapkit-conformance-summary/1";

export interface ReportSummary {
  format: string;
  /** SHA-256 of the JSON report file, hex */
  reportSha256: string;
  board: string;
  firmwareSha256: string;
  seed: number;
  started: string;
  ended: string;
  counts: Record<string, number>;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
const sha256hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export function summaryOf(suite: SuiteResult, reportBytes: Uint8Array): ReportSummary {
  return {
    format: SUMMARY_FORMAT,
    reportSha256: sha256hex(reportBytes),
    board: suite.device.board,
    firmwareSha256: suite.facts.firmware.sha256 ?? "",
    seed: suite.seed,
    started: suite.started,
    ended: suite.ended,
    counts: { ...suite.counts },
  };
}

function toMap(s: ReportSummary): Map<string, unknown> {
  return new Map<string, unknown>([
    ["format", s.format],
    ["reportSha256", s.reportSha256],
    ["board", s.board],
    ["firmwareSha256", s.firmwareSha256],
    ["seed", s.seed],
    ["started", s.started],
    ["ended", s.ended],
    ["counts", new Map(Object.entries(s.counts))],
  ]);
}

/** COSE_Sign1 bytes over the summary of `reportBytes` (the JSON report exactly as written). */
export function signReport(suite: SuiteResult, reportBytes: Uint8Array, lab: Signer): Uint8Array {
  return signSign1(lab, encodeDet(toMap(summaryOf(suite, reportBytes))));
}

function badReport(message: string, hint: string, details: Record<string, unknown> = {}): TapkitError {
  return new TapkitError("REPORT_INVALID", message, hint, details);
}

/**
 * Checks a signed summary against the JSON report's bytes and the lab's public key; returns
 * the summary, or throws REPORT_INVALID / BAD_SIGNATURE saying which part does not hold.
 */
export function verifyReport(reportBytes: Uint8Array, signed: Uint8Array, pub: Uint8Array, alg: number): ReportSummary & { kid: string } {
  let s1: ReturnType<typeof decodeSign1>;
  try {
    s1 = decodeSign1(signed, "signed summary");
  } catch (e) {
    // The COSE decoder's own hints speak of wallet files and vouchers; this is a report's signature.
    if (e instanceof TapkitError)
      throw badReport(
        `the signed summary is not a COSE_Sign1 (${e.message})`,
        "pass REPORT.json.cose, the signed summary tapkit hil --sign wrote beside the report (--sig FILE if it was moved)",
        { cause: e.code },
      );
    throw e;
  }
  if (hexOf(s1.kid) !== hexOf(keyId(pub))) {
    throw badReport(
      `the summary was signed by key id ${hexOf(s1.kid)}, not by the given key (${hexOf(keyId(pub))})`,
      "pass the public key of the lab that signed the report",
    );
  }
  checkSign1(s1, pub, alg, "signed summary");
  const m = decodeDet(s1.payload, "signed summary payload");
  if (!(m instanceof Map) || m.get("format") !== SUMMARY_FORMAT)
    throw badReport("the signed payload is not a tapkit conformance summary", "sign with tapkit hil --sign");
  const counts = m.get("counts");
  const summary: ReportSummary = {
    format: SUMMARY_FORMAT,
    reportSha256: String(m.get("reportSha256")),
    board: String(m.get("board")),
    firmwareSha256: String(m.get("firmwareSha256")),
    seed: Number(m.get("seed")),
    started: String(m.get("started")),
    ended: String(m.get("ended")),
    counts: counts instanceof Map ? Object.fromEntries(counts) : {},
  };
  const actual = sha256hex(reportBytes);
  if (actual !== summary.reportSha256) {
    throw badReport(
      `the report's SHA-256 is ${actual}, the signed summary says ${summary.reportSha256}: the report was edited after signing`,
      "get the report as the lab filed it; any change to the JSON invalidates the signature",
      { actual, signed: summary.reportSha256 },
    );
  }
  return { ...summary, kid: hexOf(s1.kid) };
}
