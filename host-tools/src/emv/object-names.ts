// What each EMV MPM data object is called (EMV QRCPS-MPM v1.1, table 3.x), so reports
// print "59 merchant name  CAFE" rather than bare IDs.

const ROOT: Record<string, string> = {
  "00": "payload format indicator",
  "01": "point of initiation",
  "52": "merchant category code",
  "53": "transaction currency",
  "54": "transaction amount",
  "55": "tip or convenience indicator",
  "56": "convenience fee fixed",
  "57": "convenience fee percentage",
  "58": "country code",
  "59": "merchant name",
  "60": "merchant city",
  "61": "postal code",
  "62": "additional data",
  "63": "CRC",
  "64": "merchant information, alternate language",
  "65": "RFU for EMVCo",
};

const ADDITIONAL: Record<string, string> = {
  "01": "bill number",
  "02": "mobile number",
  "03": "store label",
  "04": "loyalty number",
  "05": "reference label",
  "06": "customer label",
  "07": "terminal label",
  "08": "purpose of transaction",
  "09": "additional consumer data request",
};

/** The name of root object `id` ("26" -> "merchant account (template)"). */
export function objectName(id: string): string {
  const n = Number(id);
  if (ROOT[id]) return ROOT[id];
  if (n >= 2 && n <= 25) return "merchant account (network)";
  if (n >= 26 && n <= 51) return "merchant account (template)";
  if (n >= 80 && n <= 99) return "unreserved template";
  return "unknown";
}

/** The name of sub-object `sub` inside root object `id`. */
export function subObjectName(id: string, sub: string): string {
  const n = Number(id);
  if (sub === "00" && ((n >= 26 && n <= 51) || n >= 80)) return "globally unique identifier";
  if (id === "62") return ADDITIONAL[sub] ?? (Number(sub) >= 50 ? "payment system specific" : "RFU");
  if (id === "64") return ({ "00": "language preference", "01": "alternate name", "02": "alternate city" } as Record<string, string>)[sub] ?? "RFU";
  return "scheme-defined";
}
