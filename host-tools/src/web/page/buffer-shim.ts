// The few Buffer calls the shared host modules make (NDEF records, hex helpers), for the
// browser, which has no Buffer: from(bytes|array|string[, "hex"]), concat, byteLength, equals and
// toString("hex" | "latin1" | "utf8"). Installed before anything else runs in the page.
class PageBuffer extends Uint8Array {
  equals(other: Uint8Array): boolean {
    return this.length === other.length && this.every((b, i) => b === other[i]);
  }

  override toString(enc = "utf8"): string {
    if (enc === "hex") return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
    if (enc === "latin1") return String.fromCharCode(...this);
    return new TextDecoder().decode(this);
  }
}

const PageBufferStatics = {
  from(src: ArrayLike<number> | ArrayBufferLike | string, encOrOffset?: string | number, length?: number): PageBuffer {
    if (typeof src === "string") {
      if (encOrOffset === "hex") return new PageBuffer((src.match(/../g) ?? []).map((h) => parseInt(h, 16)));
      if (encOrOffset === "latin1") return new PageBuffer(Array.from(src, (c) => c.charCodeAt(0) & 0xff));
      return new PageBuffer(new TextEncoder().encode(src));
    }
    if (src instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && src instanceof SharedArrayBuffer))
      return new PageBuffer(new Uint8Array(src as ArrayBuffer, Number(encOrOffset ?? 0), length));
    return new PageBuffer(Array.from(src as ArrayLike<number>));
  },
  concat(parts: Uint8Array[]): PageBuffer {
    const out = new PageBuffer(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, (at += p.length) - p.length);
    return out;
  },
  byteLength(s: string): number {
    return new TextEncoder().encode(s).length;
  },
};

const g = globalThis as unknown as { Buffer?: unknown };
if (!g.Buffer) g.Buffer = PageBufferStatics;
