// The page's firmware update: the technician picks a signed image (one `tapkit web --image`
// offered, or a .tki file), sees its manifest and whether this device will take it (a wrong
// board, a downgrade or an unknown signer is refused in words before a byte is sent), then
// installs it with the same update library as `tapkit flash` (update/flash-image.ts) over the
// page's one link (bridge or Web Serial), with a progress bar (bytes, rate, time left). A cut
// link leaves the device holding what it got; connecting again and pressing Install resumes
// from there. The new image boots on trial and is confirmed once its firmware answers (or
// shows "confirmed by the firmware" when the firmware confirmed itself).
import type { DeviceClient } from "../../device/client.ts";
import { asTapkitError, TapkitError } from "../../errors/index.ts";
import { LinkError } from "../../link/index.ts";
import { BootClient, type SlotListing } from "../../update/boot-client.ts";
import { flashImage, type FlashProgress } from "../../update/flash-image.ts";
import { imageRefusal, summarizeImage, type ImageSummary } from "../../update/image-precheck.ts";
import { progressLine } from "../../update/progress-text.ts";
import type { PageConfig } from "../page-html.ts";
import { $, button, esc, log, rowsHtml } from "./page-dom.ts";

export interface UpdateHost {
  client(): DeviceClient | undefined;
  /** runs a technician action (buttons off, errors in words) */
  run(name: string, fn: () => Promise<void>): Promise<void>;
  /** after an install: the device card and panel again */
  afterInstall(): Promise<void>;
}

interface Chosen {
  name: string;
  bytes: Uint8Array;
  summary: ImageSummary;
}

/** What the boot channel says about the device, or why there is none. */
type BootFacts = { listing: SlotListing; boot: BootClient } | { none: string };

export class FirmwareUpdate {
  private chosen?: Chosen;
  private facts?: BootFacts;
  private refusal: TapkitError | null = null;
  /** bytes the device held when the last upload stopped short */
  private lastHeld = 0;

  constructor(
    private readonly config: PageConfig,
    private readonly host: UpdateHost,
  ) {
    const pick = $<HTMLSelectElement>("image-pick");
    pick.innerHTML =
      `<option value="">${config.images.length ? "choose an image ..." : "(none given: tapkit web --image FILE.tki)"}</option>` +
      config.images.map((im) => `<option value="${im.id}">${esc(im.name)} (${im.bytes} B)</option>`).join("");
    pick.addEventListener("change", () => void host.run("reading the image", () => this.pickOffered(pick.value)));
    $<HTMLInputElement>("image-file").addEventListener("change", (ev) => {
      const file = (ev.target as HTMLInputElement).files?.[0];
      if (file) void host.run(`reading ${file.name}`, async () => this.choose(file.name, new Uint8Array(await file.arrayBuffer())));
    });
    button("install").addEventListener("click", () => void host.run("installing firmware", () => this.install()));
  }

  /** Ready to install: an image that this connected device should take. */
  get installable(): boolean {
    return Boolean(this.host.client() && this.chosen && this.facts && "listing" in this.facts && !this.refusal);
  }

  /** On connect (and after an install): the slots, and the chosen image checked again. */
  async connected(c: DeviceClient): Promise<string> {
    this.facts = await bootFacts(c);
    this.check();
    if ("none" in this.facts) return this.facts.none;
    return slotsText(this.facts.listing);
  }

  disconnected(): void {
    this.facts = undefined;
    this.check();
  }

  private async pickOffered(id: string): Promise<void> {
    const offered = this.config.images.find((im) => String(im.id) === id);
    if (!offered) return;
    const res = await fetch(`/image/${offered.id}?token=${this.config.token}`);
    if (!res.ok) throw new TapkitError("FILE_UNREADABLE", `tapkit web did not serve ${offered.name} (HTTP ${res.status})`, "is tapkit web still running?");
    this.choose(offered.name, new Uint8Array(await res.arrayBuffer()));
  }

  private choose(name: string, bytes: Uint8Array): void {
    this.chosen = undefined;
    $("image-manifest").innerHTML = "";
    try {
      this.chosen = { name, bytes, summary: summarizeImage(bytes) };
    } catch (e) {
      const err = asTapkitError(e);
      $("image-check").innerHTML = `<span class="bad">${esc(name)} is not a signed tapkit image: ${esc(err.message)}</span><br>What to do: ${esc(err.hint)}`;
      throw err;
    }
    const s = this.chosen.summary;
    $("image-manifest").innerHTML = rowsHtml([
      ["file", `${name}, ${s.imageBytes} bytes`],
      ["board", s.board],
      ["version", s.version],
      ["security counter", String(s.securityCounter)],
      ["signer key id", s.kid],
      ["HAL ABI", String(s.halAbi)],
    ]);
    log(`image ${name}: ${s.board} version ${s.version}, security counter ${s.securityCounter}, key ${s.kid}`);
    this.check();
  }

  /** Compares the chosen image with the device and says in words what will happen. */
  private check(): void {
    const box = $("image-check");
    this.refusal = null;
    if (!this.chosen) box.textContent = "";
    else if (!this.facts) box.textContent = "connect to the device to check this image against it";
    else if ("none" in this.facts) box.innerHTML = `<span class="warn">${esc(this.facts.none)}</span>`;
    else {
      const c = this.host.client()!;
      this.refusal = imageRefusal(this.chosen.summary, { board: c.hello.board, abi: c.hello.abi, listing: this.facts.listing });
      box.innerHTML = this.refusal
        ? `<span class="bad" id="image-refused">Refused before upload: ${esc(this.refusal.message)}</span><br>What to do: ${esc(this.refusal.hint)}`
        : `<span class="ok">Ready to install</span>: ${esc(this.chosen.summary.board)} version ${esc(this.chosen.summary.version)}, signed by the key this device trusts`;
      if (this.refusal) log(`image refused: ${this.refusal.message}`);
    }
    button("install").disabled = !this.installable;
  }

  private async install(): Promise<void> {
    const c = this.host.client()!;
    const chosen = this.chosen!;
    const facts = (this.facts = await bootFacts(c));
    if ("none" in facts)
      throw new TapkitError("BOOT_UNSUPPORTED", facts.none, "run the simulator with --state DIR, or flash this board with its own programmer");
    this.check();
    if (this.refusal) throw this.refusal;
    const bar = $<HTMLProgressElement>("update-progress");
    const status = $("update-status");
    bar.hidden = false;
    let lastTenth = -1;
    const onProgress = (p: FlashProgress) => {
      bar.max = p.total;
      bar.value = p.held;
      this.lastHeld = p.held;
      status.textContent = progressLine(p, 0);
      const tenth = Math.floor((10 * p.held) / p.total);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        log(`upload ${progressLine(p, 0)}`);
      }
    };
    let report: Awaited<ReturnType<typeof flashImage>>;
    try {
      report = await flashImage(facts.boot, chosen.bytes, { onProgress, onStep: (s) => log(s) });
    } catch (e) {
      if (this.lastHeld > 0 && this.lastHeld < chosen.bytes.length) {
        status.innerHTML = `<span class="bad" id="update-interrupted">Upload interrupted at ${this.lastHeld} of ${chosen.bytes.length} bytes.</span> The device keeps what it received: connect again and press Install to resume.`;
      }
      throw e;
    }
    // Self-confirm: a firmware that confirms itself leaves the slot confirmed by now.
    const after = await facts.boot.slots();
    let how: string;
    if (report.state === "already-installed") how = "the device already ran this image";
    else if (after.running === "confirmed") how = "confirmed by the firmware";
    else {
      await c.info(); // the new firmware answers: the page's self-test before it keeps the image
      await facts.boot.confirm();
      how = "confirmed by this page once the new firmware answered";
    }
    const sent = report.uploadedBytes
      ? `${report.uploadedBytes} B sent in ${report.uploadSeconds.toFixed(1)} s (${(report.bytesPerSecond / 1024).toFixed(1)} KiB/s)`
      : "nothing to send";
    status.innerHTML = `<span class="ok" id="update-done">Installed version ${esc(report.version)} in slot ${report.slot}: ${esc(how)}.</span> ${
      report.resumedFrom && report.uploadedBytes ? `Resumed at ${report.resumedFrom} bytes; ` : ""
    }${esc(sent)}.`;
    log(
      `firmware ${report.version} installed in slot ${report.slot}${report.resumedFrom && report.uploadedBytes ? ` (resumed at ${report.resumedFrom} bytes)` : ""}; ${how}`,
    );
    this.lastHeld = 0;
    await this.host.afterInstall();
  }
}

async function bootFacts(c: DeviceClient): Promise<BootFacts> {
  const boot = BootClient.onSession(c.session, c.port);
  try {
    await boot.rehello();
    return { boot, listing: await boot.slots() };
  } catch (e) {
    // BootClient names a device refusal by the device's code; a raw link error keeps it in details
    const code = e instanceof LinkError ? e.details.deviceCode : e instanceof TapkitError ? e.code : undefined;
    if (code?.toLowerCase() === "unknown-channel")
      return { none: "this device's shell serves no boot channel, so it cannot be updated over the link (the simulator: start it with --state DIR)" };
    throw e;
  }
}

function slotsText(l: SlotListing): string {
  const active = l.slots.find((s) => s.state === "active");
  const running =
    l.running === "development"
      ? "the development module (no image installed)"
      : l.running === "none"
        ? "nothing (recovery)"
        : `version ${active?.version ?? "?"} in ${active?.name ?? "?"} (${l.running})`;
  return `runs ${running}; security counter ${l.counter}; trusts key ${l.anchor ?? "none yet"}`;
}
