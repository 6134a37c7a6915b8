// The panel checked the way a customer's phone sees it, in one call: the device's
// framebuffer decoded by independent QR decoders (the caller passes them: jsQR and zbarimg
// from panel-decoders.ts on a PC, jsQR alone in a browser), the decoders compared, and the
// payload parsed and checked as an EMV merchant-presented code (under its scheme's profile)
// with each field named.
// Used by `tapkit scan` and the technician's web page; no file or process access here.
import type { DeviceClient, Framebuffer } from "../device/client.ts";
import { inspectPayload } from "../emv/inspect.ts";
import { SCHEMES } from "../emv/schemes.ts";
import { parseObjects } from "../emv/tlv.ts";
import { objectName, subObjectName } from "../emv/object-names.ts";
import { asTapkitError, TapkitError } from "../errors/index.ts";
import { LinkError } from "../link/index.ts";

export interface DecoderResult {
  /** false when the decoder is not installed (it is then left out of the comparison) */
  available: boolean;
  /** payload bytes, or null when nothing was decoded */
  bytes: Uint8Array | null;
  /** e.g. "zbarimg not installed (apt-get install zbar-tools)" */
  note?: string;
}

export interface PanelDecoder {
  name: string;
  decode(fb: Framebuffer): Promise<DecoderResult> | DecoderResult;
}

export interface EmvField {
  id: string;
  name: string;
  value: string;
  subs?: { id: string; name: string; value: string }[];
}

export interface PanelScan {
  width: number;
  height: number;
  decoders: { name: string; available: boolean; decoded: boolean; payload: string | null; note?: string }[];
  /** the payload every available decoder read, or null */
  payload: string | null;
  /** every available decoder decoded, and all the same bytes */
  agree: boolean;
  emv: {
    /** the payload passed every EMV MPM check */
    valid: boolean;
    initiation: string | null;
    /** the scheme profile whose rules were applied (EMVCo when the code names none) */
    scheme: string;
    fields: EmvField[];
    /** the rule it broke, when not valid */
    problem: { field: string; message: string; hint: string } | null;
  } | null;
  verdict: "ok" | "failed";
  /** one line for people */
  reason: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** The objects of a payload with names, as far as they parse (a broken code still shows its head). */
function namedFields(payload: string): EmvField[] {
  let objects;
  try {
    objects = parseObjects(payload);
  } catch {
    return [];
  }
  return objects.map((o) => {
    const field: EmvField = { id: o.id, name: objectName(o.id), value: o.value };
    const n = Number(o.id);
    if ((n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80) {
      try {
        field.subs = parseObjects(o.value, o.id).map((s) => ({ id: s.id, name: subObjectName(o.id, s.id), value: s.value }));
      } catch {
        // a malformed template: the root value is shown as is, the check names the fault
      }
    }
    return field;
  });
}

function checkEmv(payload: string): NonNullable<PanelScan["emv"]> {
  const fields = namedFields(payload);
  // Under the scheme the code's own templates name (emv/schemes.ts): a PromptPay code without
  // 59/60 is what PromptPay allows, a Pix code without 62/05 is not.
  const r = inspectPayload(payload, "auto");
  const first = r.findings.find((f) => f.level === "error");
  return {
    valid: !first,
    initiation: r.initiation === "unspecified" ? null : r.initiation,
    scheme: SCHEMES[r.profile].name,
    fields,
    problem: first ? { field: first.field, message: `${first.field}: ${first.rule}`, hint: first.hint } : null,
  };
}

/** Decodes and checks one panel image. */
export async function scanFramebuffer(fb: Framebuffer, decoders: PanelDecoder[]): Promise<PanelScan> {
  const results = [];
  for (const d of decoders) {
    const r = await d.decode(fb);
    results.push({
      name: d.name,
      available: r.available,
      decoded: r.bytes !== null,
      bytes: r.bytes,
      payload: r.bytes ? utf8.decode(r.bytes) : null,
      note: r.note,
    });
  }
  const used = results.filter((r) => r.available);
  const decoded = used.filter((r) => r.bytes);
  const first = decoded[0]?.bytes ?? null;
  const agree = used.length > 0 && decoded.length === used.length && decoded.every((r) => Buffer.from(r.bytes!).equals(Buffer.from(first!)));
  const payload = first ? utf8.decode(first) : null;
  const emv = payload !== null ? checkEmv(payload) : null;
  const names = used.map((r) => r.name).join(" and ");
  let verdict: PanelScan["verdict"] = "failed";
  let reason: string;
  if (used.length === 0) reason = "no QR decoder available";
  else if (!payload) reason = `no QR code found on the ${fb.width}x${fb.height} panel by ${names}`;
  else if (!agree)
    reason = `the decoders disagree: ${used.map((r) => `${r.name} ${r.payload === null ? "read nothing" : `read ${JSON.stringify(r.payload.slice(0, 40))}`}`).join(", ")}`;
  else if (!emv!.valid) reason = `decoded by ${names}, but not a valid ${emv!.scheme} code: ${emv!.problem!.message}`;
  else {
    verdict = "ok";
    reason = `${emv!.initiation} EMV code decoded alike by ${names}, every check passed${emv!.scheme === "EMVCo" ? "" : ` (${emv!.scheme} rules)`}`;
  }
  return {
    width: fb.width,
    height: fb.height,
    decoders: results.map(({ bytes: _b, ...r }) => r),
    payload,
    agree,
    emv,
    verdict,
    reason,
  };
}

/** The device's panel image; NO_PANEL on a board without a display (a card). */
export async function readPanel(device: DeviceClient): Promise<Framebuffer> {
  try {
    return await device.framebuffer();
  } catch (e) {
    if (!(e instanceof LinkError) || e.details.deviceCode !== "unsupported") throw e;
    throw new TapkitError(
      "NO_PANEL",
      `board ${device.hello.board} has no display to scan`,
      "scan a plaque board (e.g. sim-plaque); check a card with tapkit tap or tapkit doctor",
      {
        board: device.hello.board,
      },
    );
  }
}

/** Reads the device's panel and scans it; the framebuffer comes back too (to save as a picture). */
export async function scanPanel(device: DeviceClient, decoders: PanelDecoder[]): Promise<{ frame: Framebuffer; scan: PanelScan }> {
  const frame = await readPanel(device);
  return { frame, scan: await scanFramebuffer(frame, decoders) };
}
