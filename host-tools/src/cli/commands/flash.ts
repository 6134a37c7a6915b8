// tapkit flash and tapkit image list | confirm | revert | trust: installing signed images
// through the board shell's boot channel (library: host-tools/src/update, rules:
// docs/boot.md). A refusal names the device's reason code (IMAGE_* or BOOT_*) and what to
// do, exit 1; a lost link exits 3/5 and the next `tapkit flash` of the same file resumes.
import { optionalInteger } from "../option-values.ts";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { table, type Output } from "../output.ts";
import { parseBaud, resolvePort } from "./connect.ts";
import { BootClient, shortSha, type SlotListing } from "../../update/boot-client.ts";
import { flashImage, type FlashProgress } from "../../update/flash-image.ts";
import { progressLine } from "../../update/progress-text.ts";
import { loadPublicKey, readBinaryFile } from "../../image/index.ts";

async function withBoot<T>(opts: { port?: string; baud?: string }, fn: (c: BootClient) => Promise<T>): Promise<T> {
  const client = await BootClient.connect(resolvePort(opts), { baud: parseBaud(opts.baud) });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** A bar redrawn in place on a terminal; a plain line per 10 % otherwise (logs, CI). */
export function flashProgressPrinter(out: Output): (p: FlashProgress) => void {
  if (out.json) return () => {};
  const tty = Boolean(process.stderr.isTTY);
  let lastTenth = -1;
  return (p) => {
    const line = progressLine(p, tty ? 30 : 0);
    if (tty) {
      process.stderr.write(`\r${line}`);
      if (p.held >= p.total) process.stderr.write("\n");
      return;
    }
    const tenth = Math.floor((10 * p.held) / p.total);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      process.stderr.write(`${line}\n`);
    }
  };
}

export const flash: Command = {
  name: "flash",
  summary: "install a signed firmware image (.tki) over the link: resumable, verified on the device, boots on trial",
  usage: "tapkit flash --port PORT FILE.tki [--confirm] [--window N] [--json]",
  examples: [
    "tapkit flash --port /dev/ttyUSB0 build/sim-plaque/firmware.tki --confirm",
    "tapkit flash --port tcp:127.0.0.1:7300 fw.tki          # boots on trial; tapkit image confirm keeps it",
    "tapkit flash --port /tmp/plaque fw.tki --json          # a cut cable? run it again: it resumes",
  ],
  positionals: [1, 1],
  options: {
    ...PORT_OPTION,
    confirm: { type: "boolean", help: "confirm the new image once its firmware answers (otherwise it reverts at the next reset)" },
    window: { type: "string", help: "chunks in flight at once (default 8)" },
    ...JSON_OPTION,
  },
  async run(opts, [file], out) {
    const bytes = readBinaryFile(file, "firmware image");
    const window = optionalInteger(opts.window, "window", { min: 1, max: 64, what: "chunks in flight", hint: "e.g. --window 8" });
    const report = await withBoot(opts, (c) =>
      flashImage(c, bytes, { confirm: Boolean(opts.confirm), window, onProgress: flashProgressPrinter(out), onStep: (s) => out.status(s) }),
    );
    out.result(report, (r) => {
      out.line(
        table([
          ["board", r.board],
          ["image", `version ${r.version}, security counter ${r.securityCounter}, ${r.imageBytes} B, sha256 ${r.sha256.slice(0, 16)}`],
          ["slot", String(r.slot)],
          [
            "upload",
            r.uploadedBytes
              ? `${r.uploadedBytes} B in ${r.uploadSeconds.toFixed(1)} s (${Math.round(r.bytesPerSecond)} B/s)${r.resumedFrom ? `, resumed at ${r.resumedFrom}` : ""}`
              : "nothing to send",
          ],
          ["state", r.state],
        ]),
      );
      if (r.state === "trial") out.line(`running on trial: keep it with tapkit image confirm --port ${r.port}, or it reverts at the next reset`);
    });
  },
};

function listingRows(l: SlotListing): string[][] {
  const rows = [["slot", "state", "version", "sc", "bytes", "sha256"]];
  for (const s of l.slots) {
    const state = s.state === "active" ? (s.trial ? "active (trial)" : "active") : s.state === "partial" ? `partial (${s.held} B held)` : s.state;
    rows.push([
      `${s.slot} ${s.name}`,
      state,
      s.version ?? "-",
      s.sc === undefined ? "-" : String(s.sc),
      s.len === undefined ? "-" : String(s.len),
      shortSha(s.sha),
    ]);
  }
  return rows;
}

const imageList: Command = {
  name: "image list",
  summary: "show the device's image slots: version, hash, security counter, state",
  usage: "tapkit image list --port PORT [--json]",
  examples: ["tapkit image list --port /dev/ttyUSB0", "tapkit image list --port tcp:127.0.0.1:7300 --json"],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const listing = await withBoot(opts, (c) => c.slots());
    out.result(listing, (l: SlotListing) => {
      out.line(table(listingRows(l)));
      out.line(`running: ${l.running}; recorded security counter ${l.counter}; trust anchor ${l.anchor ?? "none (tapkit image trust)"}`);
    });
  },
};

const imageConfirm: Command = {
  name: "image confirm",
  summary: "keep the image running on trial (it no longer reverts at reset; its security counter is recorded)",
  usage: "tapkit image confirm --port PORT [--json]",
  examples: ["tapkit image confirm --port /dev/ttyUSB0"],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const r = await withBoot(opts, (c) => c.confirm());
    out.result(r, () => out.line(r.already ? `slot ${r.slot} was already confirmed` : `slot ${r.slot} confirmed`));
  },
};

const imageRevert: Command = {
  name: "image revert",
  summary: "go back to the other slot's confirmed image and reset (a trial image is dropped)",
  usage: "tapkit image revert --port PORT [--json]",
  examples: ["tapkit image revert --port /dev/ttyUSB0"],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const r = await withBoot(opts, async (c) => {
      const answer = await c.revert();
      await c.rehello();
      return { slot: answer.slot as number, after: await c.slots() };
    });
    out.result(r, () => {
      out.line(`slot ${r.slot} rejected; the device reset`);
      out.line(table(listingRows(r.after)));
    });
  },
};

const imageTrust: Command = {
  name: "image trust",
  summary: "provision the image-signing public key into the board shell's protected store (once per device)",
  usage: "tapkit image trust --port PORT --key KEY.pub.pem [--json]",
  examples: ["tapkit image trust --port /dev/ttyUSB0 --key keys/release.pub.pem"],
  options: { ...PORT_OPTION, key: { type: "string", help: "the public key file (SPKI PEM, as tapkit image keygen writes it)" }, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const key = loadPublicKey(opts.key ?? "");
    const kid = await withBoot(opts, (c) => c.trust(key.publicKey));
    out.result({ kid }, () => out.line(`the device trusts images signed by key ${kid}`));
  },
};

export const FLASH_COMMANDS: Command[] = [flash, imageList, imageConfirm, imageRevert, imageTrust];
