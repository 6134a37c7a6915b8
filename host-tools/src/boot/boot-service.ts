// The board shell's side of an update (docs/boot.md, "Upload"): the boot channel's ops —
// provisioning the trust anchor, listing the slots, a resumable windowed upload into the
// slot that is not running (checked before anything is erased, hashed and verified before
// it is marked pending), confirm, revert and reset. Pure shell logic over the slot trailers
// and the protected store; the device (sim/device.ts) feeds it decoded requests.
import { createHash, randomInt } from "node:crypto";
import type { Board } from "../boards/board.ts";
import { toHexLower as hex } from "../bytes/hex.ts";
import type { Body } from "../link/cbor.ts";
import { HAL_ABI_VERSION } from "../build/index.ts";
import { bootloaderChecks, imageHeadChecks } from "../image/verify-image.ts";
import { readHeader, HEADER_BYTES } from "../image/layout.ts";
import { decodeManifestPayload, parseManifest, versionText, type ManifestFields } from "../image/manifest.ts";
import { isImageError } from "../image/image-error.ts";
import { BootRefused } from "./boot-error.ts";
import { chunkSizeFor, SLOT_REPORT_NAMES, UPLOAD_HOLD_MS, type SlotReport } from "./boot-protocol.ts";
import type { BootStore } from "./boot-store.ts";
import type { SlotIndex, SlotTrailer, SlotTrailers, TrailerRecord } from "./trailer.ts";

export interface RunningImage {
  slot: SlotIndex;
  mode: "trial" | "confirmed";
  sha256: Uint8Array;
  fields: ManifestFields;
}

interface Upload {
  sid: number;
  slot: SlotIndex;
  record: TrailerRecord;
  held: boolean[];
  contiguous: number;
  lastActivity: number;
}

export interface BootServiceHost {
  board: Board;
  shellVersion: string;
  maxFrame: number;
  now(): number;
  /** what runs now: a slot image, the development module (no anchor yet), or nothing */
  running(): RunningImage | "development" | null;
  /** reboot once the answer has left */
  requestReset(): void;
}

export class BootService {
  private upload: Upload | null = null;
  readonly chunk: number;
  /** uploads that continued from bytes the device already held */
  resumes = 0;

  constructor(
    private readonly trailers: SlotTrailers,
    private readonly store: BootStore,
    private readonly host: BootServiceHost,
  ) {
    this.chunk = chunkSizeFor(host.maxFrame);
    if (Math.ceil(trailers.maxImageBytes / this.chunk) > trailers.maxChunks) {
      throw new Error(`board ${host.board.name}: ${trailers.maxImageBytes}-byte slots need more than ${trailers.maxChunks} chunks of ${this.chunk}`);
    }
  }

  /** The shell's RAM is gone (power cut, reset): an upload continues only through a new upload.begin. */
  powerLoss(): void {
    this.upload = null;
  }

  handle(op: string, args: Body): Body {
    switch (op) {
      case "hello":
        return this.hello();
      case "slots":
        return this.slots();
      case "trust":
        return this.trust(args);
      case "upload.begin":
        return this.begin(args);
      case "upload.chunk":
        return this.writeChunk(args);
      case "upload.finish":
        return this.finish(args);
      case "confirm":
        return this.confirm();
      case "revert":
        return this.revert();
      case "reset":
        this.host.requestReset();
        return {};
      default:
        throw new BootRefused("unknown-op", `the boot channel has no op ${op}`, "see docs/link-protocol.md, boot channel");
    }
  }

  private hello(): Body {
    const running = this.host.running();
    const fw = running && running !== "development" ? versionText(running.fields.version) : running === "development" ? "development" : "";
    return { v: 1, max: this.host.maxFrame, board: this.host.board.name, fw, abi: HAL_ABI_VERSION, shell: this.host.shellVersion };
  }

  slots(): Body {
    const running = this.host.running();
    const reports = ([0, 1] as SlotIndex[]).map((s) => this.report(this.trailers.read(s), running));
    const anchors = this.store.anchors;
    return {
      slots: reports as unknown as Body[],
      counter: this.store.securityCounter,
      anchor: anchors.length ? hex(anchors[0].kid) : null,
      running: running === null ? "none" : running === "development" ? "development" : running.mode,
      chunk: this.chunk,
      max: this.trailers.maxImageBytes,
    };
  }

  private report(t: SlotTrailer, running: ReturnType<BootServiceHost["running"]>): SlotReport {
    const base = { slot: t.slot, name: SLOT_REPORT_NAMES[t.slot] };
    if (!t.record) return { ...base, state: "empty" };
    const r: SlotReport = { ...base, state: "partial", sha: t.record.sha256, len: t.record.imageBytes, seq: t.record.seq };
    const fields = this.peekFields(t.slot, t.record.imageBytes);
    if (fields) {
      r.version = versionText(fields.version);
      r.sc = fields.securityCounter;
    }
    const isRunning = running && running !== "development" && running.slot === t.slot;
    if (isRunning) {
      r.state = "active";
      r.trial = running.mode === "trial";
    } else if (t.flags.rejected) r.state = "rejected";
    else if (t.flags.confirmed) r.state = "confirmed";
    else if (t.flags.pending) r.state = "pending";
    else r.held = Math.min(t.chunksHeld * t.record.chunk, t.record.imageBytes);
    return r;
  }

  /** The manifest's fields as stored, unverified (for the listing only). */
  private peekFields(slot: SlotIndex, imageBytes: number): ManifestFields | null {
    try {
      const head = this.trailers.readImage(slot, Math.min(imageBytes, 1024));
      const h = readHeader(head);
      return decodeManifestPayload(parseManifest(head.subarray(HEADER_BYTES, HEADER_BYTES + h.manifestBytes)).payload);
    } catch {
      return null;
    }
  }

  private trust(args: Body): Body {
    const key = args.key;
    if (!(key instanceof Uint8Array))
      throw new BootRefused("bad-arg", "key: bytes required (the raw public key)", "tapkit image trust --port P --key release.pub.pem");
    let ok: boolean;
    try {
      ok = this.store.setAnchor(key);
    } catch (e) {
      throw new BootRefused("KEY_FORMAT", (e as Error).message, "give the .pub.pem that tapkit image keygen wrote");
    }
    if (!ok) {
      throw new BootRefused(
        "BOOT_ANCHOR_SET",
        `the device already trusts key ${hex(this.store.anchors[0].kid)}; the trust anchor is set once`,
        "sign your images with that key; a device that must trust another key is wiped first (the simulator: a fresh --state directory)",
      );
    }
    return { kid: hex(this.store.anchors[0].kid) };
  }

  private begin(args: Body): Body {
    const { sha, len, head } = args;
    if (!(sha instanceof Uint8Array) || sha.length !== 32)
      throw new BootRefused("bad-arg", "sha: 32 bytes required (SHA-256 of the image)", "use tapkit flash");
    if (!Number.isInteger(len) || (len as number) < 1) throw new BootRefused("bad-arg", "len: image length required", "use tapkit flash");
    if (!(head instanceof Uint8Array)) throw new BootRefused("bad-arg", "head: the image's bytes before the module required", "use tapkit flash");
    const anchors = this.store.anchors;
    if (anchors.length === 0) {
      throw new BootRefused(
        "BOOT_NO_ANCHOR",
        "the device has no trust anchor: it cannot check any image yet",
        "provision the public key your images are signed with, once: tapkit image trust --port P --key release.pub.pem",
      );
    }
    const running = this.host.running();
    const now = this.host.now();
    if (this.upload && hex(this.upload.record.sha256) !== hex(sha) && now - this.upload.lastActivity < UPLOAD_HOLD_MS) {
      throw new BootRefused(
        "BOOT_BUSY",
        `another upload (image ${hex(this.upload.record.sha256).slice(0, 16)}) is in progress`,
        "wait for the other host to finish (or stop it); only one upload runs at a time",
      );
    }
    const image = this.checkImage(() =>
      imageHeadChecks(head, { keys: anchors, board: this.host.board, halAbi: HAL_ABI_VERSION, minSecurityCounter: this.store.securityCounter }),
    );
    if (image.parts.header.imageBytes !== len) {
      throw new BootRefused("bad-arg", `len ${String(len)} differs from the image header's ${image.parts.header.imageBytes}`, "use tapkit flash");
    }
    if (running && running !== "development" && hex(running.sha256) === hex(sha)) {
      this.upload = null;
      return { installed: true, slot: running.slot, off: len as number, chunk: this.chunk };
    }
    if (running && running !== "development" && running.mode === "trial") {
      throw new BootRefused(
        "BOOT_TRIAL_RUNNING",
        `the image in slot ${SLOT_REPORT_NAMES[running.slot]} runs on trial; a new upload would overwrite the only image to fall back to`,
        "confirm it (tapkit image confirm --port P) or revert it (tapkit image revert --port P) first",
      );
    }
    const slot = this.slotHolding(sha, len as number, running) ?? this.targetSlot(running);
    const t = this.trailers.read(slot);
    const sid = randomInt(1, 0x7fffffff);
    const record: TrailerRecord = { seq: 0, imageBytes: len as number, chunk: this.chunk, sha256: sha.slice() };
    if (t.record && hex(t.record.sha256) === hex(sha) && t.record.imageBytes === len && t.record.chunk === this.chunk && !t.flags.rejected) {
      if (t.flags.pending) {
        this.upload = null;
        return { sid, slot, off: len as number, chunk: this.chunk, done: true };
      }
      const count = Math.ceil((len as number) / this.chunk);
      const held = Array.from({ length: count }, (_, i) => i < t.chunksHeld);
      this.upload = { sid, slot, record: t.record, held, contiguous: t.chunksHeld, lastActivity: now };
      const off = Math.min(t.chunksHeld * this.chunk, len as number);
      if (off > 0) this.resumes++;
      return { sid, slot, off, chunk: this.chunk, resumed: off > 0 };
    }
    const other = this.trailers.read((1 - slot) as SlotIndex);
    record.seq = Math.max(t.record?.seq ?? 0, other.record?.seq ?? 0) + 1;
    this.upload = null;
    this.trailers.startUpload(slot, record);
    this.upload = { sid, slot, record, held: new Array(Math.ceil(record.imageBytes / this.chunk)).fill(false), contiguous: 0, lastActivity: now };
    return { sid, slot, off: 0, chunk: this.chunk, resumed: false };
  }

  /**
   * A slot (never the running one) that already holds part or all of this image, so a cut
   * upload resumes there. Without it a device with no slot image running (development) would
   * send the second try to the other slot, since the cut one now has the newer sequence.
   */
  private slotHolding(sha: Uint8Array, len: number, running: ReturnType<BootServiceHost["running"]>): SlotIndex | undefined {
    const candidates: SlotIndex[] = running && running !== "development" ? [(1 - running.slot) as SlotIndex] : [0, 1];
    return candidates.find((slot) => {
      const t = this.trailers.read(slot);
      return t.record && hex(t.record.sha256) === hex(sha) && t.record.imageBytes === len && t.record.chunk === this.chunk && !t.flags.rejected;
    });
  }

  /** The slot an upload goes to: never the running one; else the one without a confirmed image, else the older. */
  private targetSlot(running: ReturnType<BootServiceHost["running"]>): SlotIndex {
    if (running && running !== "development") return (1 - running.slot) as SlotIndex;
    const [a, b] = [this.trailers.read(0), this.trailers.read(1)];
    const keeps = (t: SlotTrailer) => Boolean(t.record && t.flags.confirmed && !t.flags.rejected);
    if (keeps(a) !== keeps(b)) return keeps(a) ? 1 : 0;
    return (a.record?.seq ?? 0) <= (b.record?.seq ?? 0) ? 0 : 1;
  }

  private writeChunk(args: Body): Body {
    const up = this.currentUpload(args.sid);
    const off = args.off;
    const data = args.data;
    if (!Number.isInteger(off) || (off as number) % this.chunk !== 0 || (off as number) >= up.record.imageBytes) {
      throw new BootRefused(
        "BOOT_CHUNK",
        `off ${String(off)} is not a chunk start below ${up.record.imageBytes} (chunks of ${this.chunk})`,
        "use tapkit flash",
      );
    }
    const want = Math.min(this.chunk, up.record.imageBytes - (off as number));
    if (!(data instanceof Uint8Array) || data.length !== want) {
      throw new BootRefused(
        "BOOT_CHUNK",
        `the chunk at ${String(off)} has ${data instanceof Uint8Array ? data.length : 0} bytes; it must have ${want}`,
        "the chunk was truncated; run tapkit flash again (it resumes)",
      );
    }
    const index = (off as number) / this.chunk;
    if (!up.held[index]) {
      this.trailers.writeChunk(up.slot, up.record, index, data);
      up.held[index] = true;
      while (up.contiguous < up.held.length && up.held[up.contiguous]) up.contiguous++;
    }
    up.lastActivity = this.host.now();
    return { off: Math.min(up.contiguous * this.chunk, up.record.imageBytes) };
  }

  private finish(args: Body): Body {
    const up = this.currentUpload(args.sid);
    if (up.contiguous < up.held.length) {
      throw new BootRefused(
        "BOOT_INCOMPLETE",
        `the device holds ${up.contiguous * this.chunk} of ${up.record.imageBytes} bytes`,
        "send the missing chunks (tapkit flash resumes)",
      );
    }
    this.upload = null;
    const bytes = this.trailers.readImage(up.slot, up.record.imageBytes);
    const actual = createHash("sha256").update(bytes).digest();
    if (hex(actual) !== hex(up.record.sha256)) {
      this.trailers.setFlag(up.slot, "rejected");
      throw new BootRefused(
        "BOOT_UPLOAD_HASH",
        `the slot's ${up.record.imageBytes} bytes hash to ${hex(actual).slice(0, 16)}…, not the announced ${hex(up.record.sha256).slice(0, 16)}…: a chunk was corrupted or the announced hash is wrong`,
        "flash the image again (nothing was installed; the running image stays)",
      );
    }
    try {
      this.checkImage(() =>
        bootloaderChecks(bytes, { keys: this.store.anchors, board: this.host.board, halAbi: HAL_ABI_VERSION, minSecurityCounter: this.store.securityCounter }),
      );
    } catch (e) {
      this.trailers.setFlag(up.slot, "rejected");
      throw e;
    }
    this.trailers.setFlag(up.slot, "pending");
    return { slot: up.slot, state: "pending" };
  }

  private confirm(): Body {
    const running = this.host.running();
    if (!running || running === "development") {
      throw new BootRefused("BOOT_NOTHING_TO_CONFIRM", "no slot image is running", "flash an image first: tapkit flash --port P FILE.tki");
    }
    if (running.mode === "trial") {
      this.trailers.setFlag(running.slot, "confirmed");
      this.store.raiseCounter(running.fields.securityCounter);
      running.mode = "confirmed";
      return { slot: running.slot, confirmed: true };
    }
    return { slot: running.slot, confirmed: true, already: true };
  }

  private revert(): Body {
    const running = this.host.running();
    if (!running || running === "development")
      throw new BootRefused("BOOT_NO_ROLLBACK", "no slot image is running", "tapkit image list --port P shows the slots");
    if (running.mode === "confirmed") {
      const other = this.trailers.read((1 - running.slot) as SlotIndex);
      const fallback = other.record && other.flags.confirmed && other.flags.pending && !other.flags.rejected ? this.verifyStored(other) : null;
      if (!fallback) {
        throw new BootRefused(
          "BOOT_NO_ROLLBACK",
          `slot ${SLOT_REPORT_NAMES[1 - running.slot]} holds no confirmed image that passes the checks at security counter ${this.store.securityCounter}; reverting would leave nothing to boot`,
          "flash the image you want to go back to instead (tapkit flash); images below the recorded security counter are refused for good",
        );
      }
    }
    this.trailers.setFlag(running.slot, "rejected");
    this.host.requestReset();
    return { slot: running.slot, reverted: true };
  }

  private verifyStored(t: SlotTrailer): boolean {
    try {
      const bytes = this.trailers.readImage(t.slot, t.record!.imageBytes);
      bootloaderChecks(bytes, { keys: this.store.anchors, board: this.host.board, halAbi: HAL_ABI_VERSION, minSecurityCounter: this.store.securityCounter });
      return true;
    } catch {
      return false;
    }
  }

  private currentUpload(sid: unknown): Upload {
    if (!this.upload)
      throw new BootRefused(
        "BOOT_NO_UPLOAD",
        "no upload in progress: the device restarted (or never saw upload.begin)",
        "run tapkit flash again with the same file: it resumes from what the device holds",
      );
    if (sid !== this.upload.sid)
      throw new BootRefused("BOOT_BUSY", "another upload took over this slot", "only one host uploads at a time; run tapkit flash again when it is done");
    return this.upload;
  }

  private checkImage<T>(check: () => T): T {
    try {
      return check();
    } catch (e) {
      if (isImageError(e)) throw new BootRefused(e.code, e.message, e.hint ?? "");
      throw e;
    }
  }
}
