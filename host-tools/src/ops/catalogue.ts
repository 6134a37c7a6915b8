// Every op of every link channel, in one place (MCUmgr-style groups with numeric ids and an
// owner folder). From this table:
// - `tapkit build` generates the firmware's dispatch table (firmware/ops/op-table.ts:
//   name lookup, the handler to run, the lifecycle states each op is served in, per board);
// - the host's typed client (client.ts) takes its methods, argument and result types;
// - docs/link-protocol.md's op tables are generated (op-docs.ts; a test fails when stale).
// Adding an op: one entry here (plus its handler in firmware), then `npm run build`.
// Wire names never change once shipped; ids are stable once assigned.
import type { GroupSpec, OpSpec } from "./schema.ts";

export const GROUPS = {
  shell: { id: 0, channel: "shell", owner: "firmware/shell", doc: "Version exchange, device figures, link tests, framebuffer readout, reboot." },
  log: { id: 1, channel: "log", owner: "firmware/log", doc: "Device log events; the one request sets how verbose they are." },
  "nfc-test": { id: 2, channel: "nfc-test", owner: "firmware/nfc", doc: "NFC traffic injected over the link when the bench has no reader." },
  device: { id: 3, channel: "app", owner: "firmware/app", doc: "What the device is and whether the demo set-up is active." },
  store: { id: 4, channel: "app", owner: "firmware/store", doc: "The power-safe store's API (docs/store.md), for the torture run, tests and benches." },
  tag: { id: 5, channel: "app", owner: "firmware/nfc", doc: "The NFC tag's content and dynamic-URL layout (docs/nfc.md)." },
  ndef: { id: 6, channel: "app", owner: "firmware/nfc", doc: "The firmware's NDEF toolkit: build, parse and lint messages (docs/nfc.md)." },
  qr: { id: 7, channel: "app", owner: "firmware/qr", doc: "The QR encoder and the panel (ISO/IEC 18004)." },
  payment: { id: 8, channel: "app", owner: "firmware/emv", doc: "The merchant profile and EMV merchant-presented codes: static, and dynamic for an amount." },
  wallet: { id: 9, channel: "app", owner: "firmware/wallet", doc: "The card wallet's identity and issuer provisioning (docs/wallet-apdu.md)." },
  acceptor: { id: 10, channel: "app", owner: "firmware/acceptor", doc: "The plaque as offline voucher acceptor (docs/vouchers.md, Acceptor); refusals answer `bad-arg` with a bare code." },
} as const satisfies Record<string, GroupSpec>;

const BOTH = ["plaque", "card"] as const;
const PLAQUE = ["plaque"] as const;
const CARD = ["card"] as const;
// Every op is served in every lifecycle state today; later issues narrow this per op.
const ALL_STATES = ["blank", "demo", "provisioned", "locked"] as const;

const STORE_STATS = {
  free: "uint", keys: "uint", live: "uint", pages: "uint", rated: "uint", erases: "uint", capacity: "uint",
  counters: "uint", maxErase: "uint", pageSize: "uint", remaining: "uint", compactions: "uint",
} as const;
const STORE_STATS_DOC =
  "the store's figures (docs/store.md): `pageSize`, `pages`, `capacity`, `live`, `free` bytes; `keys`, `counters` in use; `erases` used, `maxErase` of any page, `rated` cycles per page, `remaining` counter increments, `compactions` since boot";

const QR_ENCODE_ARGS = {
  text: { kind: "bytes|text", required: true, doc: "what to encode" },
  ecl: { kind: "uint", range: [0, 3], doc: "error correction: 0 L, 1 M (default), 2 Q, 3 H" },
  min: { kind: "uint", range: [1, 40], doc: "smallest version (default 1)" },
  max: { kind: "uint", range: [1, 40], doc: "largest version (default: the board's, firmware/qr/qr-limits.ts)" },
  mask: { kind: "uint", range: [0, 7], doc: "data mask (absent: chosen by the penalty rules)" },
  mode: { kind: "uint", range: [0, 4], doc: "0 optimal segmentation, 1 numeric, 2 alphanumeric, 4 byte" },
  boost: { kind: "bool", doc: "raise the ECC level while the version stays" },
} as const;
const SHOWN_CODE = { v: "uint", ref: "uint", scale: "uint", payload: "text" } as const;
const LINT = { errors: ["text"], warnings: ["text"] } as const;
const UINT_ARG = { kind: "uint" } as const;

export const OPS = [
  // ---- shell channel ----
  {
    name: "hello", group: "shell", id: 0, handler: { module: "shell/shell-ops", export: "helloOp" },
    args: {
      v: { kind: "array", items: "uint", doc: "link versions the host speaks; without 1 the answer is `unsupported`" },
      max: { kind: "uint", range: [64], doc: "host's max frame; a smaller one lowers every later frame the device sends" },
      n: { kind: "uint", doc: "a random u32 per session, so a new session's hello is never taken for a retry of an old one" },
    },
    result: { v: "uint", fw: "text", abi: "uint", max: "uint", board: "text", shell: "text" },
    resultDoc: "`v`: 1, `max`: device max frame, `board`, `fw` (firmware version), `abi` (HAL ABI version), `shell` (shell version)",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Version exchange; opens a host session (empties the device's answer cache).",
  },
  {
    name: "info", group: "shell", id: 1, handler: { module: "shell/shell-ops", export: "infoOp" }, args: {},
    result: {
      fw: "text", abi: "uint", mem: { io: "uint", pages: "uint" },
      link: { rx: "uint", tx: "uint", crc: "uint", body: "uint", cobs: "uint", retry: "uint", short: "uint", channel: "uint", version: "uint", oversize: "uint" },
      board: "text", shell: "text", store: STORE_STATS, uptime: "uint",
    },
    resultDoc: `\`board\`, \`fw\`, \`abi\`, \`shell\`, \`uptime\` (ms), \`link\`: map of the receiver counters (\`rx\`, \`tx\`, \`oversize\`, \`cobs\`, \`short\`, \`crc\`, \`version\`, \`channel\`, \`body\`, \`retry\`), \`mem\`: \`pages\` (declared memory pages), \`io\` (mailbox bytes), \`store\`: ${STORE_STATS_DOC}`,
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Device figures for `tapkit info`.",
  },
  {
    name: "ping", group: "shell", id: 2, handler: { module: "shell/shell-ops", export: "pingOp" },
    args: { data: { kind: "bytes", doc: "echoed back" } },
    result: { data: "bytes" }, resultDoc: "`data`: the same bytes",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Echo.",
  },
  {
    name: "sink", group: "shell", id: 3, handler: { module: "shell/shell-ops", export: "sinkOp" },
    args: { data: { kind: "bytes", required: true, doc: "discarded" } },
    result: { n: "uint" }, resultDoc: "`n`: bytes received",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Throughput measurement: takes bytes, answers how many.",
  },
  {
    name: "fb", group: "shell", id: 4, handler: { module: "shell/shell-ops", export: "fbOp" },
    args: { off: { kind: "uint", doc: "byte offset; equal to `total` gives empty `data`, beyond it is `bad-arg`" } },
    result: { h: "uint", w: "uint", off: "uint", data: "bytes", total: "uint" },
    resultDoc: "`w`, `h`, `off`, `total` (framebuffer bytes), `data` (next chunk that fits the frame size, rows of `ceil(w/8)` bytes, MSB = leftmost, 1 = black); `unsupported` without a display",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Framebuffer readout in chunks.",
  },
  {
    name: "reset", group: "shell", id: 5, handler: { module: "shell/shell-ops", export: "resetOp" }, args: {},
    result: {}, resultDoc: "`{}`; then the device reboots",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Reboot once the answer has left.",
  },
  // ---- log channel ----
  {
    name: "level", group: "log", id: 0, handler: { module: "log/log-ops", export: "levelOp" },
    args: { level: { kind: "uint", required: true, range: [0, 3], doc: "most verbose level sent: 0 error .. 3 debug (default 2)" } },
    result: {}, boards: BOTH, states: ALL_STATES, changesState: false, summary: "Sets which device log events reach the host.",
  },
  // ---- nfc-test channel ----
  {
    name: "apdu", group: "nfc-test", id: 0, handler: { module: "nfc/nfc-test-ops", export: "apduOp" },
    args: { c: { kind: "bytes", required: true, range: [0, 512], doc: "command APDU" } },
    result: { r: "bytes" }, resultDoc: "`r`: response APDU (data + SW1 SW2)",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "A Type 4 command as if a reader sent it.",
  },
  {
    name: "t2t", group: "nfc-test", id: 1, handler: { module: "nfc/nfc-test-ops", export: "t2tOp" },
    args: { c: { kind: "bytes", required: true, range: [0, 512], doc: "Type 2 command" } },
    result: { r: "bytes" }, resultDoc: "`r`: response bytes",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "A Type 2 command as if a reader sent it.",
  },
  {
    name: "field", group: "nfc-test", id: 2, handler: { module: "nfc/nfc-test-ops", export: "fieldOp" },
    args: { on: { kind: "bool", required: true, doc: "field on or off, as in `tk_nfc_field`" } },
    result: {}, boards: BOTH, states: ALL_STATES, changesState: false, summary: "The RF field comes or goes (a tap ends when it goes).",
  },
  {
    name: "personality", group: "nfc-test", id: 3, handler: { module: "nfc/nfc-test-ops", export: "personalityOp" },
    args: { p: { kind: "uint", required: true, range: [1, 2], doc: "1 Type 4, 2 Type 2" } },
    result: {}, resultDoc: "`{}`; `unsupported` when the board lacks that personality",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Switches the tag personality on boards with both (the shell is told at once).",
  },
  // ---- app channel ----
  {
    name: "status", group: "device", id: 0, handler: { module: "app/device-ops", export: "statusOp" }, args: {},
    result: { demo: "bool", mode: "text", board: "text" },
    resultDoc: "`board`, `mode` (`plaque` or `card`), `demo` (bool: demo set-up active)",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "What the device is.",
  },
  {
    name: "store.put", group: "store", id: 0, handler: { module: "store/store-ops", export: "putOp" },
    args: {
      k: { kind: "uint", required: true, range: [1, 65534], doc: "key" },
      v: { kind: "bytes", required: true, range: [0, 512], doc: "value" },
    },
    result: {}, resultDoc: "`{}` once the record is on flash; `too-large` (value too large, or `msg` \"store full\")",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Writes one record.",
  },
  {
    name: "store.get", group: "store", id: 1, handler: { module: "store/store-ops", export: "getOp" },
    args: { k: { kind: "uint", required: true, range: [1, 65534], doc: "key" } },
    result: { v: "bytes|null" }, resultDoc: "`v`: bytes, or null when absent",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Reads one record.",
  },
  {
    name: "store.del", group: "store", id: 2, handler: { module: "store/store-ops", export: "delOp" },
    args: { k: { kind: "uint", required: true, range: [1, 65534], doc: "key" } },
    result: {}, resultDoc: "`{}` (also when absent)",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Deletes one record.",
  },
  {
    name: "store.ctr", group: "store", id: 3, handler: { module: "store/store-ops", export: "ctrOp" },
    args: {
      id: { kind: "uint", required: true, range: [0, 15], doc: "counter" },
      read: { kind: "bool", doc: "true: read the last value instead of incrementing" },
    },
    result: { v: "uint" }, resultDoc: "`v`: the new value (>= 1; never one returned before), or with `read` the last value",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Increments (or reads) a monotonic counter.",
  },
  {
    name: "store.tx", group: "store", id: 4, handler: { module: "store/store-ops", export: "txOp" },
    args: {
      w: { kind: "array", items: "uint|bytes|null", doc: "`[k, bytes or null, ...]`: writes, null deletes" },
      c: { kind: "array", items: "uint", range: [0, 8], doc: "counter ids to increment" },
      abort: { kind: "bool", doc: "true: stage everything, then abort (nothing lands)" },
    },
    result: { c: ["uint"] }, resultDoc: "`c`: the reserved counter values, in order; all of it lands or none (at most 8 records, 1536 bytes)",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "One atomic transaction of writes, deletes and counter increments.",
  },
  {
    name: "store.stats", group: "store", id: 5, handler: { module: "store/store-ops", export: "statsOp" }, args: {},
    result: STORE_STATS, resultDoc: "the `store` map of `info`",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "The store's figures.",
  },
  {
    name: "store.compact", group: "store", id: 6, handler: { module: "store/store-ops", export: "compactOp" }, args: {},
    result: {}, resultDoc: "`{}` after compacting the oldest page",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Compacts one page now (benches, tests).",
  },
  {
    name: "tag.get", group: "tag", id: 0, handler: { module: "nfc/tag-ops", export: "tagGetOp" }, args: {},
    result: {
      meta: "uint", file: "uint", sign: "uint", picc: "uint", uid: "uint", ctr: "uint", time: "uint", enc: "uint", enc_len: "uint",
      mac_in: "uint", mac: "uint", tag_uid: "bytes", m: "bytes", writable: "bool", mode: "uint", counter: "uint", last: "uint", limit: "uint",
    },
    resultDoc: "`m` (the NDEF message), `writable`, `mode` (mirror), key slots `meta`, `file`, `sign`, mirror offsets `picc`, `uid`, `ctr`, `time`, `enc`, `enc_len`, `mac_in`, `mac`, `limit` (counter limit), `counter` (tap counter in the store), `last` (counter behind the last URL served), `tag_uid`",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "The tag's content and dynamic-URL layout.",
  },
  {
    name: "tag.set", group: "tag", id: 1, handler: { module: "nfc/tag-ops", export: "tagSetOp" },
    args: {
      m: { kind: "bytes", range: [0, 1022], doc: "NDEF message" },
      writable: { kind: "bool", doc: "whether readers may write the tag" },
      mode: { ...UINT_ARG, doc: "mirror mode (docs/nfc.md)" },
      meta: { ...UINT_ARG, doc: "keystore slot of the SUN meta-read key" },
      file: { ...UINT_ARG, doc: "keystore slot of the SUN file key" },
      sign: { ...UINT_ARG, doc: "keystore slot of the signing key (signed mirror)" },
      picc: { ...UINT_ARG, doc: "mirror offset of the encrypted PICC data" },
      uid: { ...UINT_ARG, doc: "mirror offset of the UID" },
      ctr: { ...UINT_ARG, doc: "mirror offset of the counter" },
      time: { ...UINT_ARG, doc: "mirror offset of the time" },
      enc: { ...UINT_ARG, doc: "mirror offset of the encrypted file data" },
      enc_len: { ...UINT_ARG, doc: "length of the encrypted file data" },
      mac_in: { ...UINT_ARG, doc: "offset where the MAC input starts" },
      mac: { ...UINT_ARG, doc: "mirror offset of the MAC or signature" },
      limit: { ...UINT_ARG, doc: "tap counter limit" },
      tag_uid: { kind: "bytes", range: [7, 7], doc: "the tag's UID" },
    },
    result: LINT, resultDoc: "`errors`, `warnings`: lint of the new message; a mirror layout that does not fit is refused with `bad-arg` and the reason",
    boards: BOTH, states: ALL_STATES, changesState: true, summary: "Sets content, layout and UID, kept in the store before the tag serves them (absent keys keep their value).",
  },
  {
    name: "ndef.build", group: "ndef", id: 0, handler: { module: "nfc/tag-ops", export: "ndefBuildOp" },
    args: {
      uri: { kind: "text", doc: "URI record (with `title`: a smart poster)" },
      title: { kind: "text", doc: "smart poster title" },
      text: { kind: "text", doc: "text record" },
      lang: { kind: "text", range: [1, 63], doc: "language of title and text (default `en`)" },
      ext_type: { kind: "text", doc: "external record type" },
      ext_data: { kind: "bytes", doc: "external record payload (required with `ext_type`)" },
      aar: { kind: "text", doc: "Android application record (package name)" },
    },
    result: { m: "bytes" }, resultDoc: "`m`: the message (at most 1022 bytes)",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Builds a message in the order uri, text, external, aar.",
  },
  {
    name: "ndef.parse", group: "ndef", id: 1, handler: { module: "nfc/tag-ops", export: "ndefParseOp" },
    args: { m: { kind: "bytes", required: true, doc: "NDEF message" } },
    result: { records: [{ flags: "uint", tnf: "uint", type: "bytes", id: "bytes", payload: "bytes" }], rest: "uint" },
    resultDoc: "`records`: `{flags, tnf, type, id, payload}` up to the message end flag; `rest`: bytes after it",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Splits a message into records.",
  },
  {
    name: "ndef.lint", group: "ndef", id: 2, handler: { module: "nfc/tag-ops", export: "ndefLintOp" },
    args: { m: { kind: "bytes", required: true, doc: "NDEF message" } },
    result: LINT, resultDoc: "`errors`, `warnings`: names of the rules the message breaks",
    boards: BOTH, states: ALL_STATES, changesState: false, summary: "Checks a message against the lint rules of docs/nfc.md.",
  },
  {
    name: "qr.encode", group: "qr", id: 0, handler: { module: "qr/qr-ops", export: "qrEncodeOp" }, args: QR_ENCODE_ARGS,
    result: { m: "uint", v: "uint", ecl: "uint", bits: "uint", segs: "bytes", side: "uint" },
    resultDoc: "`v` (version), `ecl`, `m` (mask), `bits` (data bits), `segs` (3 bytes per segment: mode indicator, character count big-endian), `side` (modules)",
    boards: PLAQUE, states: ALL_STATES, changesState: false, summary: "Runs the encoder; the symbol stays for `qr.grid`.",
  },
  {
    name: "qr.grid", group: "qr", id: 1, handler: { module: "qr/qr-ops", export: "qrGridOp" },
    args: { off: { kind: "uint", doc: "byte offset into the grid bits" } },
    result: { off: "uint", data: "bytes", total: "uint" },
    resultDoc: "`off`, `total` (bytes), `data`: the next chunk of side × side bits, row-major, MSB first, 1 = dark",
    boards: PLAQUE, states: ALL_STATES, changesState: false, summary: "Reads the last symbol's modules back in chunks.",
  },
  {
    name: "qr.show", group: "qr", id: 2, handler: { module: "qr/qr-ops", export: "qrShowOp" },
    args: {
      ...QR_ENCODE_ARGS,
      scale: { kind: "uint", range: [0, 16], doc: "pixels per module (absent: the largest that fits)" },
      quiet: { kind: "uint", range: [0, 16], doc: "quiet zone in modules (absent: chosen)" },
      caption: { kind: "text", doc: "a text line under the symbol" },
      partial: { kind: "bool", doc: "ask the panel for a partial refresh" },
    },
    result: { m: "uint", v: "uint", x: "uint", y: "uint", ecl: "uint", quiet: "uint", scale: "uint", forced: "bool" },
    resultDoc: "`v`, `ecl`, `m`, and the layout: `x`, `y`, `scale`, `quiet`, `forced` (the quiet zone is below 4 modules)",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Encodes (as `qr.encode`) and draws on the panel.",
  },
  {
    name: "merchant.set", group: "payment", id: 0, handler: { module: "emv/payment-ops", export: "merchantSetOp" },
    args: {
      name: { kind: "text", required: true, range: [1, 25], doc: "merchant name (59), printable ASCII" },
      city: { kind: "text", required: true, range: [1, 15], doc: "merchant city (60), printable ASCII" },
      country: { kind: "text", required: true, range: [2, 2], doc: "country (58), ISO 3166-1 alpha-2" },
      currency: { kind: "text", required: true, range: [3, 3], doc: "currency (53), ISO 4217 numeric" },
      mcc: { kind: "text", required: true, range: [4, 4], doc: "merchant category code (52), ISO 18245" },
      postal: { kind: "text", range: [0, 10], doc: "postal code (61)" },
      accounts: { kind: "text", required: true, doc: "the merchant account objects (02-51) as EMV text" },
    },
    result: { len: "uint" }, resultDoc: "`len`: profile bytes; the static code is shown unless a dynamic one is up",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Stores the merchant profile.",
  },
  {
    name: "merchant.get", group: "payment", id: 1, handler: { module: "emv/payment-ops", export: "merchantGetOp" }, args: {},
    result: { mcc: "text", city: "text", name: "text", country: "text", accounts: "text", currency: "text" },
    resultDoc: "`name`, `city`, `country`, `currency`, `mcc`, `accounts`; `bad-arg` when none is set",
    boards: PLAQUE, states: ALL_STATES, changesState: false, summary: "Reads the merchant profile.",
  },
  {
    name: "emv.build", group: "payment", id: 2, handler: { module: "emv/payment-ops", export: "emvBuildOp" },
    args: {
      amount: { kind: "text", doc: "transaction amount (54), e.g. \"12.34\"; absent: a static payload" },
      bill: { kind: "text", doc: "bill number (62/01)" },
      ref: { kind: "uint", range: [1, 0xffffffff], doc: "reference label number" },
    },
    result: { payload: "text" }, resultDoc: "`payload`: the EMV MPM payload (for cross-checks with the host builder)",
    boards: PLAQUE, states: ALL_STATES, changesState: false, summary: "Builds a payload from the profile without showing it.",
  },
  {
    name: "qr.amount", group: "payment", id: 3, handler: { module: "emv/payment-ops", export: "qrAmountOp" },
    args: {
      amount: { kind: "text", required: true, doc: "transaction amount (54), e.g. \"12.34\"" },
      bill: { kind: "text", doc: "bill number (62/01)" },
      timeout: { kind: "uint", range: [1, 3600], doc: "seconds before the static code returns (default 120)" },
    },
    result: SHOWN_CODE, resultDoc: "`v`, `scale`, `ref` (the reference number taken from the store), `payload`",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "A POS asks for a dynamic code for an amount.",
  },
  {
    name: "qr.static", group: "payment", id: 4, handler: { module: "emv/payment-ops", export: "qrStaticOp" }, args: {},
    result: SHOWN_CODE, resultDoc: "`v`, `scale`, `ref` (0), `payload`",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Back to the static code now.",
  },
  {
    name: "wallet.info", group: "wallet", id: 0, handler: { module: "wallet/wallet-ops", export: "walletInfoOp" },
    args: { slot: { kind: "uint", doc: "before provisioning: the key slot 1..7 to report (others: slot 0)" } },
    result: {
      info: { v: "uint", alg: "int", "bal?": "uint", "ctr?": "uint", "cur?": "text", kid: "bytes", "pin?": "uint", pub: "bytes", "epoch?": "uint" },
      chain: ["bytes"],
    },
    resultDoc: "`info`: the info map of docs/wallet-apdu.md (GET DATA 00); `chain`: [batch, device] certificates once provisioned",
    boards: CARD, states: ALL_STATES, changesState: false, summary: "The card's key, state and certificate chain.",
  },
  {
    name: "wallet.provision", group: "wallet", id: 1, handler: { module: "wallet/wallet-ops", export: "walletProvisionOp" },
    args: {
      chain: { kind: "array", items: "bytes", required: true, range: [2, 2], doc: "[batch certificate, device certificate], each <= 255 bytes" },
      slot: { kind: "uint", doc: "keystore slot of the device key (default 0)" },
      cur: { kind: "text", required: true, range: [3, 3], doc: "currency, ISO 4217 letters" },
      max: { kind: "uint", required: true, doc: "maximum balance" },
      per: { kind: "uint", required: true, doc: "per-payment cap" },
      cum: { kind: "uint", required: true, doc: "cumulative cap per sync epoch" },
      count: { kind: "uint", required: true, doc: "payments per sync epoch" },
      bal: { kind: "uint", doc: "opening balance of sub-wallet 0" },
      pin: { kind: "text", required: true, range: [4, 8], doc: "owner PIN, digits" },
    },
    result: {}, resultDoc: "`{}`; refused once the wallet is active",
    boards: CARD, states: ALL_STATES, changesState: true, summary: "Provisions a blank wallet in one store transaction.",
  },
  {
    name: "acceptor.setup", group: "acceptor", id: 0, handler: { module: "acceptor/acceptor-ops", export: "setupOp" },
    args: {
      root: { kind: "bytes", required: true, doc: "issuer root public key: 32 bytes Ed25519 or 65 bytes P-256" },
      cur: { kind: "text", required: true, range: [3, 3], doc: "currency accepted" },
      payee: { kind: "text", required: true, range: [1, 32], doc: "this plaque's payee id" },
    },
    result: {}, resultDoc: "`{}`; refused (`HELD`) while vouchers are held",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Provisions root, payee and currency.",
  },
  {
    name: "acceptor.challenge", group: "acceptor", id: 1, handler: { module: "acceptor/acceptor-ops", export: "challengeOp" },
    args: {
      amount: { kind: "uint", required: true, range: [1, 0xffffffff], doc: "amount asked, minor units" },
      unit: { kind: "uint", doc: "PayWord unit value (absent: one voucher)" },
    },
    result: { cur: "text", "unit?": "uint", payee: "text", amount: "uint", challenge: "bytes" },
    resultDoc: "`{cur, unit?, payee, amount, challenge}`: 16 bytes from `hal.random`",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "A fresh challenge for one payment (one submit per challenge).",
  },
  {
    name: "acceptor.submit", group: "acceptor", id: 2, handler: { module: "acceptor/acceptor-ops", export: "submitOp" },
    args: {
      chain: { kind: "array", items: "bytes", required: true, range: [2, 2], doc: "[batch certificate, device certificate]" },
      voucher: { kind: "bytes", required: true, doc: "the card's COSE_Sign1 voucher" },
    },
    result: { kid: "bytes", slot: "uint", amount: "uint", counter: "uint" }, resultDoc: "`{kid, slot, amount, counter}`",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Checks a voucher and keeps it.",
  },
  {
    name: "acceptor.payword", group: "acceptor", id: 3, handler: { module: "acceptor/acceptor-ops", export: "paywordOp" },
    args: {
      slot: { kind: "uint", required: true, doc: "slot of the voucher that opened the chain" },
      word: { kind: "bytes", required: true, range: [32, 32], doc: "the next PayWord word" },
    },
    result: { slot: "uint", units: "uint", value: "uint" }, resultDoc: "`{slot, units, value}`",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Checks the next word of a PayWord chain.",
  },
  {
    name: "acceptor.list", group: "acceptor", id: 4, handler: { module: "acceptor/acceptor-ops", export: "listOp" }, args: {},
    result: { "cur?": "text", held: "uint", cards: "uint", "payee?": "text", capacity: "uint", configured: "uint" },
    resultDoc: "`{cur?, held, cards, payee?, capacity, configured}`",
    boards: PLAQUE, states: ALL_STATES, changesState: false, summary: "What the acceptor holds.",
  },
  {
    name: "acceptor.export", group: "acceptor", id: 5, handler: { module: "acceptor/acceptor-ops", export: "exportOp" },
    args: { slot: { kind: "uint", required: true, doc: "voucher slot, below `held`" } },
    result: { chain: ["bytes"], "payword?": ["uint|bytes"], voucher: "bytes" },
    resultDoc: "a bundle: `{chain, payword?, voucher}` (the voucher bytes as the card sent them)",
    boards: PLAQUE, states: ALL_STATES, changesState: false, summary: "One held voucher for settlement.",
  },
  {
    name: "acceptor.clear", group: "acceptor", id: 6, handler: { module: "acceptor/acceptor-ops", export: "clearOp" }, args: {},
    result: { cleared: "uint" }, resultDoc: "`{cleared}`",
    boards: PLAQUE, states: ALL_STATES, changesState: true, summary: "Forgets the held vouchers after an upload.",
  },
] as const satisfies readonly OpSpec[];

export type GroupName = keyof typeof GROUPS;
export type CatalogueOp = (typeof OPS)[number];
export type OpName = CatalogueOp["name"];
