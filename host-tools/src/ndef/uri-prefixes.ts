// NFC Forum URI RTD identifier codes 00..23 (notes §2.2) and the shortest encoding of a URI.
export const URI_PREFIXES: readonly string[] = [
  "",
  "http://www.",
  "https://www.",
  "http://",
  "https://",
  "tel:",
  "mailto:",
  "ftp://anonymous:anonymous@",
  "ftp://ftp.",
  "ftps://",
  "sftp://",
  "smb://",
  "nfs://",
  "ftp://",
  "dav://",
  "news:",
  "telnet://",
  "imap:",
  "rtsp://",
  "urn:",
  "pop:",
  "sip:",
  "sips:",
  "tftp:",
  "btspp://",
  "btl2cap://",
  "btgoep://",
  "tcpobex://",
  "irdaobex://",
  "file://",
  "urn:epc:id:",
  "urn:epc:tag:",
  "urn:epc:pat:",
  "urn:epc:raw:",
  "urn:epc:",
  "urn:nfc:",
];

/** The code with the longest prefix of `uri` (0 when none matches). */
export function bestUriCode(uri: string): number {
  let best = 0;
  for (let code = 1; code < URI_PREFIXES.length; code++) {
    if (uri.startsWith(URI_PREFIXES[code]) && URI_PREFIXES[code].length > URI_PREFIXES[best].length) best = code;
  }
  return best;
}
