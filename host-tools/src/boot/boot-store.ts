// The shell's protected store (docs/boot.md, "Protected store"): the image-signing trust
// anchor(s) and the highest security counter the device has accepted. It belongs to the
// shell, never to Wasm memory or the firmware's flash regions; on a microcontroller it is
// OTP, a locked flash page or a secure element's monotonic counter. Each change is one
// atomic step (the simulator: a temporary file and a rename in the state directory). The
// anchor is set once; setting it again is refused until the device is wiped.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toHexLower as hex } from "../bytes/hex.ts";
import { trustAnchor, type PublicKeyInfo } from "../image/signing-key.ts";

const FILE = "boot-store.json";
const FORMAT = "tapkit-sim-boot-store/1";

interface StoreFile {
  format: string;
  anchors: string[];
  securityCounter: number;
}

export class BootStore {
  private state: StoreFile = { format: FORMAT, anchors: [], securityCounter: 0 };
  /** steps written so far (tests and the torture count them) */
  writes = 0;

  constructor(private readonly stateDir?: string) {
    const path = stateDir ? join(stateDir, FILE) : null;
    if (path && existsSync(path)) {
      const loaded = JSON.parse(readFileSync(path, "utf8")) as StoreFile;
      if (loaded.format === FORMAT) this.state = loaded;
    }
  }

  get anchors(): PublicKeyInfo[] {
    return this.state.anchors.map((k, i) => trustAnchor(Uint8Array.from(Buffer.from(k, "hex")), `the device's trust anchor ${i}`));
  }

  get securityCounter(): number {
    return this.state.securityCounter;
  }

  /** Provisions the anchor; false when one is already set (the caller refuses). */
  setAnchor(publicKey: Uint8Array): boolean {
    if (this.state.anchors.length > 0) return false;
    trustAnchor(publicKey, "new anchor"); // throws on a key that is neither Ed25519 nor P-256
    this.save({ ...this.state, anchors: [hex(publicKey)] });
    return true;
  }

  /** Raises the recorded counter (never lowers it). */
  raiseCounter(to: number): void {
    if (to <= this.state.securityCounter) return;
    this.save({ ...this.state, securityCounter: to });
  }

  private save(next: StoreFile): void {
    this.writes++;
    if (this.stateDir) {
      const path = join(this.stateDir, FILE);
      writeFileSync(`${path}.tmp`, JSON.stringify(next));
      renameSync(`${path}.tmp`, path);
    }
    this.state = next;
  }
}
