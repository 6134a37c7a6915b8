// The technician's page (served by `tapkit web`): connect, see the device, edit and check the
// merchant profile live under its scheme's rules, store it, watch the panel (decoded in the
// page with jsQR), ask for an amount, run a tap check (verified by the CLI when it holds the
// keys), install a signed firmware image (firmware-update.ts), read the log. Everything talks to the
// device through the same DeviceClient and library functions as the CLI; only the byte pipe
// differs (browser-transports.ts).
import "./buffer-shim.ts";
import * as jsqrModule from "jsqr";
import { DeviceClient, type Framebuffer } from "../../device/client.ts";
import { nfcTestPath } from "../../device/nfc-path.ts";
import { asTapkitError, TapkitError } from "../../errors/index.ts";
import { inspectPayload, type Inspection } from "../../emv/inspect.ts";
import { buildPayload, type MerchantProfile } from "../../emv/mpm.ts";
import { PRESETS, presetFor, type SchemePreset } from "../../emv/scheme-presets.ts";
import { SCHEMES } from "../../emv/schemes.ts";
import { encodeMessage, MODE_IDS, setTag, uriRecord } from "../../ndef/index.ts";
import { judgeTap, readTap, scanFramebuffer, type PanelDecoder, type PanelScan } from "../../field/index.ts";
import { requestAmount, setMerchantProfile } from "../../qr/payment-client.ts";
import { hasWebSerial, openBridge, openWebSerial } from "./browser-transports.ts";
import type { PageConfig } from "../page-html.ts";
import { $, button, clearError, esc, input, log, rowsHtml, showError } from "./page-dom.ts";
import { FirmwareUpdate } from "./firmware-update.ts";
import { verdictText, verifyRead, WITH_KEYS, WITHOUT_KEYS } from "./keyed-tap.ts";
import type { PageTapVerdict } from "../tap-judge.ts";

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { binaryData: number[] } | null;
// jsqr is CommonJS; bundled, the function may sit on .default (as in qr/decoders.ts).
const jsQR: JsQr = ((jsqrModule as any).default ?? jsqrModule) as JsQr;

const config = JSON.parse(document.getElementById("config")!.textContent!) as PageConfig;
let client: DeviceClient | undefined;
let lastInspection: Inspection | undefined;
const update = new FirmwareUpdate(config, {
  client: () => client,
  run: (name, fn) => action(name, fn),
  afterInstall: async () => {
    await refreshDevice();
    await refreshPanel();
  },
});

/** Runs one technician action: buttons off meanwhile, errors shown in words. */
async function action(name: string, fn: () => Promise<void>): Promise<void> {
  clearError();
  const buttons = document.querySelectorAll("button");
  for (const b of buttons) {
    b.dataset.was = String(b.disabled);
    b.disabled = true;
  }
  log(`${name} ...`);
  try {
    await fn();
  } catch (e) {
    showError(e);
  } finally {
    buttons.forEach((b) => (b.disabled = b.dataset.was === "true"));
    refreshButtons();
  }
}

function refreshButtons(): void {
  const connected = client !== undefined;
  $<HTMLButtonElement>("save").disabled = !connected || !lastInspection || lastInspection.errors > 0;
  $<HTMLButtonElement>("show-amount").disabled = !connected;
  $<HTMLButtonElement>("tap-check").disabled = !connected;
  $<HTMLButtonElement>("connect-bridge").disabled = connected || !config.bridgePort;
  $<HTMLButtonElement>("connect-serial").disabled = connected;
  button("install").disabled = !update.installable;
  button("verify-url").disabled = !config.tapKeys;
}

// ---- connection and device card ----

async function connected(c: DeviceClient): Promise<void> {
  client = c;
  $("conn").textContent = `connected: ${c.port}`;
  c.onLog((l) => log(`device: ${l.msg}`));
  c.session.transport?.onClose?.(() => disconnected("the link closed"));
  await refreshDevice();
  await refreshPanel();
}

function disconnected(why: string): void {
  if (!client) return;
  client = undefined;
  update.disconnected();
  $("conn").textContent = `not connected (${why})`;
  showError(new TapkitError("LINK_CLOSED", `device disconnected: ${why}`, "check the cable or the simulator (is it still running?), then press Connect"));
  refreshButtons();
}

async function refreshDevice(): Promise<void> {
  const c = client!;
  const info = await c.info();
  const app = await c.appStatus();
  let tag = "";
  try {
    const t = await c.ops.tag.get();
    const uid = Array.from(t.tag_uid, (b) => b.toString(16).padStart(2, "0"))
      .join("")
      .toUpperCase();
    tag = `UID ${uid}, ${["static URL", "SUN", "SUN (plain mirror)", "signed URL"][t.mode] ?? `mirror mode ${t.mode}`}, tap counter ${t.counter}`;
  } catch (e) {
    tag = `not readable (${asTapkitError(e).message})`;
  }
  let merchant = "none set";
  try {
    const m = await c.ops.merchant.get();
    merchant = `${m.name}, ${m.city} ${m.country} (currency ${m.currency}, MCC ${m.mcc})`;
  } catch {
    /* a blank plaque has none */
  }
  const rows: [string, string][] = [
    ["board", info.board],
    ["firmware", info.fw],
    ["shell", info.shell],
    ["mode", app.mode],
    ["demo set-up", app.demo ? "yes (not for customers)" : "no"],
    ["tag", tag],
    ["merchant", merchant],
    ["store", `${info.store.capacity - info.store.free} of ${info.store.capacity} bytes used, ${info.store.erases} page erases`],
    ["uptime", `${Math.round(info.uptime / 1000)} s`],
    ["firmware image", await update.connected(c)],
  ];
  $("device-card").innerHTML = rowsHtml(rows);
}

// ---- panel ----

function drawPanel(fb: Framebuffer): ImageData {
  const canvas = $<HTMLCanvasElement>("panel");
  const scale = 2;
  canvas.width = fb.width * scale;
  canvas.height = fb.height * scale;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(fb.width, fb.height);
  const stride = Math.ceil(fb.width / 8);
  for (let y = 0; y < fb.height; y++)
    for (let x = 0; x < fb.width; x++) {
      const black = (fb.data[y * stride + (x >> 3)] >> (7 - (x & 7))) & 1;
      const i = (y * fb.width + x) * 4;
      img.data[i] = img.data[i + 1] = img.data[i + 2] = black ? 0 : 255;
      img.data[i + 3] = 255;
    }
  const tmp = new OffscreenCanvas(fb.width, fb.height);
  tmp.getContext("2d")!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  return img;
}

/** jsQR on the panel as drawn in the page: the browser's decoder for the field library's scan. */
function pageJsqr(img: ImageData): PanelDecoder {
  return {
    name: "jsQR",
    decode: () => {
      const code = jsQR(img.data, img.width, img.height);
      return { available: true, bytes: code ? Uint8Array.from(code.binaryData) : null };
    },
  };
}

/** Reads the panel, shows it, and checks it as a customer's phone would (field/panel-scan.ts). */
async function refreshPanel(): Promise<{ scan: PanelScan; inspection?: Inspection }> {
  const fb = await client!.framebuffer();
  const img = drawPanel(fb);
  const scan = await scanFramebuffer(fb, [pageJsqr(img)]);
  const box = $("scan");
  if (!scan.payload) {
    box.innerHTML = `<span class="warn">${esc(scan.reason)}</span>`;
    return { scan };
  }
  const inspection = inspectPayload(scan.payload, currentScheme());
  box.innerHTML = `decoded (jsQR): <code>${esc(scan.payload)}</code><br>${verdictLine(inspection)}`;
  return { scan, inspection };
}

function verdictLine(r: Inspection): string {
  const cls = r.errors ? "bad" : "ok";
  return `<span class="${cls}">${r.errors ? "INVALID" : "OK"} under ${esc(SCHEMES[r.profile].name)}</span>: ${r.initiation} code, ${r.errors} error(s), ${r.warnings} warning(s)`;
}

// ---- merchant profile, validated live ----

function currentPreset(): SchemePreset {
  return presetFor($<HTMLSelectElement>("scheme").value) ?? PRESETS[0];
}

function currentScheme() {
  return currentPreset().scheme;
}

function renderSchemeFields(): void {
  const p = currentPreset();
  $("scheme-fields").innerHTML = p.fields
    .map((f) => `<label for="f-${f.key}">${esc(f.label)}</label><input id="f-${f.key}" data-key="${f.key}" placeholder="${esc(f.example)}">`)
    .join("");
  input("country").value = p.country;
  input("currency").value = p.currency;
  input("mcc").value = p.mcc;
  validate();
}

function profileFromForm(): MerchantProfile {
  const p = currentPreset();
  const values: Record<string, string> = {};
  document.querySelectorAll<HTMLInputElement>("#scheme-fields input").forEach((i) => (values[i.dataset.key!] = i.value));
  return {
    name: input("name").value.trim(),
    city: input("city").value.trim(),
    country: input("country").value.trim().toUpperCase(),
    currency: input("currency").value.trim(),
    mcc: input("mcc").value.trim(),
    postal: input("postal").value.trim() || undefined,
    reference: p.reference,
    accounts: p.accounts(values),
  };
}

/** Builds the static payload the plaque will show and checks it under the scheme, on every keystroke. */
function validate(): void {
  const out = $("validation");
  lastInspection = undefined;
  try {
    const payload = buildPayload(profileFromForm());
    const r = inspectPayload(payload, currentScheme());
    const url = input("tap-url").value.trim();
    const urlProblem = url && !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(url) ? "the tap URL must be an http(s) address, e.g. https://pay.example.com/m/shop-42" : "";
    lastInspection = urlProblem ? { ...r, errors: r.errors + 1 } : r;
    const items = (urlProblem ? [`<li class="bad">${esc(urlProblem)}</li>`] : []).concat(
      r.findings.map((f) => `<li class="${f.level === "error" ? "bad" : "warn"}">${esc(f.level)}: ${esc(f.field)}: ${esc(f.rule)} &mdash; ${esc(f.hint)}</li>`),
    );
    out.innerHTML = `${verdictLine(lastInspection)}<ul>${items.join("")}</ul>rules applied:<ul>${r.rulesApplied.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`;
  } catch (e) {
    const err = asTapkitError(e);
    out.innerHTML = `<span class="bad">not valid yet</span>: ${esc(err.message)} &mdash; ${esc(err.hint)}`;
  }
  refreshButtons();
}

// ---- the technician's three decisions ----

async function save(): Promise<void> {
  const len = await setMerchantProfile(client!, profileFromForm());
  log(`merchant profile stored (${len} characters)`);
  const url = input("tap-url").value.trim();
  if (url) {
    const lint = await setTag(client!, { m: encodeMessage([uriRecord(url)]), mode: MODE_IDS.static });
    log(`tag serves ${url}${lint.warnings.length ? ` (warnings: ${lint.warnings.join(", ")})` : ""}`);
  }
  await refreshDevice();
  await refreshPanel();
}

async function showAmount(): Promise<void> {
  const shown = await requestAmount(client!, input("amount").value.trim(), { timeoutS: 600 });
  log(`panel shows the amount code: v${shown.version}, reference TK${shown.reference}`);
  await refreshPanel();
}

/** Reads the tag twice as a phone does (field/tap-check.ts), verified by tapkit web when it holds the keys, and checks the panel code; one verdict in words. */
async function tapCheck(): Promise<void> {
  const nfc = nfcTestPath(client!);
  const reads = [await readTap(nfc), await readTap(nfc)];
  const taps = reads.map((r) => judgeTap(r));
  const urls = taps.map((t) => t.url ?? "");
  const verified: PageTapVerdict[] = [];
  if (config.tapKeys && urls[0]) for (const r of reads) verified.push(await verifyRead(config.token, r));
  const panel = await refreshPanel();
  const problems: string[] = [];
  const good: string[] = [];
  if (!urls[0]) problems.push("the tag holds no URL: a phone shows nothing when it taps (enter the tap URL in the profile and save)");
  else good.push(`a phone reads ${urls[0].length > 70 ? `${urls[0].slice(0, 70)}...` : urls[0]} (${taps[0].apdus} APDUs)`);
  if (urls[0] && urls[0] !== urls[1]) good.push("the URL changes on every tap (dynamic SUN/signed URL)");
  else if (urls[0]) good.push("the URL is the same on every tap (static URL: no SUN keys on this plaque)");
  verified.forEach((v, i) => (v.verdict === "verified" ? good : problems).push(`tap ${i + 1} ${v.url ?? ""}: ${verdictText(v)}`));
  if (verified.length === 2 && verified.every((v) => v.verdict === "verified")) {
    const [a, b] = verified.map((v) => v.counter ?? -1);
    if (b > a) good.push(`the tap counter rises: ${a} -> ${b}`);
    else problems.push(`the tap counter did not rise (${a} -> ${b}): a phone's second tap would be taken for a replay`);
  }
  const inspection = panel.inspection;
  if (!inspection) problems.push(`the panel: ${panel.scan.reason}`);
  else if (inspection.errors) {
    const first = inspection.findings.find((f) => f.level === "error")!;
    problems.push(`the panel code breaks ${inspection.errors} ${SCHEMES[inspection.profile].name} rule(s): ${first.field}: ${first.rule}`);
  } else good.push(`the panel code decodes and passes the ${SCHEMES[inspection.profile].name} rules`);
  const ok = problems.length === 0;
  $("verdict").innerHTML = `<p class="${ok ? "ok" : "bad"}" id="verdict-line">${ok ? "PASS: ready for the merchant" : "FAIL: not ready"}</p><ul>${[
    ...problems.map((p) => `<li class="bad">${esc(p)}</li>`),
    ...good.map((g) => `<li>${esc(g)}</li>`),
  ].join("")}</ul>`;
  log(`tap check: ${ok ? "PASS" : "FAIL"}`);
  await refreshDevice();
}

/** A URL a phone opened (a customer's complaint, a screenshot), verified by tapkit web as one more tap. */
async function verifyUrl(): Promise<void> {
  const url = input("check-url").value.trim();
  const v = await verifyRead(config.token, { path: "a pasted URL", apdus: 0, message: encodeMessage([uriRecord(url)]) });
  $("url-verdict").innerHTML = `<p class="${v.verdict === "verified" ? "ok" : "bad"}" id="url-verdict-line">${esc(verdictText(v))}</p>`;
  log(`URL check: ${v.reason}`);
}

// ---- start ----

function start(): void {
  $("scheme").innerHTML = PRESETS.map((p) => `<option value="${p.scheme}">${esc(p.label)}</option>`).join("");
  $("scheme").addEventListener("change", renderSchemeFields);
  document.querySelector("main")!.addEventListener("input", (ev) => {
    if ((ev.target as HTMLElement).closest("#profile")) validate();
  });
  renderSchemeFields();
  $("tap-keys-note").textContent = config.tapKeys ? WITH_KEYS : WITHOUT_KEYS;
  const connectBridge = () =>
    action("connecting through tapkit web's bridge", async () => {
      const url = `ws://${location.host}/bridge?token=${config.token}`;
      const t = await openBridge(url, config.bridgePort ?? "bridge");
      await connected(await DeviceClient.over(t, config.bridgePort ?? "bridge"));
    });
  $("connect-bridge").addEventListener("click", connectBridge);
  if (hasWebSerial()) {
    $("connect-serial").hidden = false;
    $("connect-serial").addEventListener("click", () =>
      action("connecting over Web Serial", async () => {
        const t = await openWebSerial(115200);
        await connected(await DeviceClient.over(t, t.description));
      }),
    );
  }
  $("save").addEventListener("click", () => action("saving the merchant profile", save));
  $("show-amount").addEventListener("click", () => action("showing the amount code", showAmount));
  $("tap-check").addEventListener("click", () => action("running the tap check", tapCheck));
  $("verify-url").addEventListener("click", () => action("verifying a tap URL", verifyUrl));
  refreshButtons();
  log("page ready");
  // The CLI named a device: connect at once, the technician has nothing to decide here.
  if (config.bridgePort) void connectBridge();
  else log("no device port given to tapkit web: connect a USB plaque over Web Serial");
}

start();
