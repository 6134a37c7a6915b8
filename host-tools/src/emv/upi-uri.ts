// India's UPI codes are not EMV TLV but a URI (NPCI UPI Linking Specifications v1.6):
// upi://pay?pa=<VPA>&pn=<name>&am=<amount>&cu=INR&mc=<MCC>&tr=<ref>&tn=<note>. This reads one
// into parameters (as data objects named by key) and findings, for inspect.ts.
import type { FindingList } from "./inspect.ts";
import type { DataObject } from "./tlv.ts";

export function inspectUpiUri(text: string, f: FindingList): DataObject[] {
  const m = /^upi:\/\/([a-z]+)\?(.*)$/is.exec(text);
  if (!m) {
    f.add("upi:uri", "UPI URI", "must be upi://pay?pa=...&pn=...", "e.g. upi://pay?pa=shop@bank&pn=Shop&cu=INR");
    return [];
  }
  f.need(m[1].toLowerCase() === "pay", "upi:verb", "UPI URI", `verb "${m[1]}" is not "pay"`, "merchant codes use upi://pay?...");
  const objects: DataObject[] = [];
  for (const part of m[2].split("&").filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    let value = eq < 0 ? "" : part.slice(eq + 1);
    try {
      value = decodeURIComponent(value.replace(/\+/g, " "));
    } catch {
      f.add("upi:encoding", key, "bad percent-encoding", "encode spaces as %20 and & as %26");
    }
    objects.push({ id: key, value });
  }
  const get = (k: string) => objects.find((o) => o.id === k)?.value;
  f.need(
    /^[A-Za-z0-9.\-_]{2,256}@[A-Za-z0-9.-]{2,64}$/.test(get("pa") ?? ""),
    "upi:pa",
    "pa payee address",
    "mandatory VPA, name@handle",
    "e.g. pa=shop@okbank",
  );
  f.need((get("pn") ?? "").length > 0, "upi:pn", "pn payee name", "mandatory", "e.g. pn=Shop%20Name");
  const am = get("am");
  if (am !== undefined)
    f.need(/^\d+(\.\d{1,2})?$/.test(am) && /[1-9]/.test(am), "upi:am", "am amount", "a decimal above 0 with up to 2 decimals", "e.g. am=10.50");
  const cu = get("cu");
  if (cu !== undefined) f.need(cu === "INR", "upi:cu", "cu currency", "must be INR", "cu=INR");
  const mc = get("mc");
  if (mc !== undefined) f.need(/^\d{4}$/.test(mc), "upi:mc", "mc merchant code", "4 digits", "e.g. mc=5411");
  const tn = get("tn");
  if (tn !== undefined) f.need(tn.length <= 50, "upi:tn", "tn note", "at most 50 characters", "shorten the note");
  return objects;
}
