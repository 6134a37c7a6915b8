// The tap backend in one process on a SQLite file, over real HTTP: genuine taps (minted with
// node:crypto, per-tag keys by AN10922 from a master; and one made by the simulated plaque's
// firmware) are accepted once; replays, older counters, bad MACs, revoked tags, old epochs
// after a re-key are refused with their reason; bad input (malformed and oversized query
// strings, unknown parameters, wrong hex, huge bodies, slow clients) gets a 4xx, stores
// nothing, and the service keeps serving; the access log holds no key material.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBackendKeys, startTapService, type BackendTagKeys, type RunningTapService, TapState } from "../../host-tools/src/backend/index.ts";
import { openDatabase, type Database } from "../../host-tools/src/db/index.ts";
import { ProvisioningRecords, stationFromSecret } from "../../host-tools/src/records/index.ts";
import { longTests } from "../support/long-tests.ts";
import { FILE, META, keyedTag, tap } from "../verify/tap-fixture.ts";
import { bootTag } from "../nfc/nfc-fixture.ts";
import { buildTapTemplate, setTag } from "../../host-tools/src/ndef/index.ts";
import { an10922, cmac, sunUrl } from "../../host-tools/src/bench/sun-minter.ts";

longTests();

const tmp = mkdtempSync(join(tmpdir(), "tapkit-backend-"));
const MASTER_META = Buffer.from("11223344556677889900AABBCCDDEEFF", "hex");
const MASTER_FILE = Buffer.from("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF", "hex");
const BASE = "https://pay.example.com/t";
const KEYS: BackendTagKeys[] = [
  {
    name: "city",
    template: `${BASE}?p={picc}&c={mac}`,
    mode: "sun",
    metaKey: MASTER_META.toString("hex"),
    masterFileKey: MASTER_FILE.toString("hex"),
    merchant: "Cafe 7",
  },
  {
    name: "shop",
    template: "https://shop.example.com/pay?p={picc}&c={mac}",
    mode: "sun",
    metaKey: META,
    fileKey: FILE,
    redirect: "https://shop.example.com/ok?tag={tag}&n={counter}",
  },
];
const logs: Record<string, unknown>[] = [];
let db: Database;
let service: RunningTapService;

const uidOf = (i: number) => Buffer.from(`04${i.toString(16).padStart(12, "0").toUpperCase()}`, "hex");
const mint = (i: number, counter: number) => sunUrl(BASE, MASTER_META, an10922(MASTER_FILE, uidOf(i)), uidOf(i), counter);

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(service.url + path, { redirect: "manual", ...init });
  const text = await r.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, body, headers: r.headers };
}
const api = (url: string) => get(`/api/verify?url=${encodeURIComponent(url)}`);
const rows = async () => Number((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM tap_state"))[0].n);

beforeAll(async () => {
  db = await openDatabase(join(tmp, "taps.sqlite"));
  // the records know tag 1 as serial 9001 (the backend reports it)
  const r = new ProvisioningRecords(db, stationFromSecret("st", new Uint8Array(32).fill(4)));
  await r.registerStation();
  await r.createBatch({ id: "B", board: "sim-plaque", serialFirst: 9001, serialLast: 9001 });
  const d = await r.allocateDevice("B");
  await db.run("UPDATE devices SET uid = $1 WHERE serial = $2", [uidOf(1).toString("hex").toUpperCase(), d.serial]);
  service = await startTapService({ keys: KEYS, db, ipRate: 0, tagRate: 0, log: (e) => logs.push(e) });
});
afterAll(async () => {
  await service?.close();
  await db?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the test's SUN minter", () => {
  it("reproduces AN12196's SDMMAC (UID 04DE5F1EACC040, counter 61, zero keys: 94EED9EE65337086)", () => {
    const url = sunUrl("https://x/t", Buffer.alloc(16), Buffer.alloc(16), Buffer.from("04DE5F1EACC040", "hex"), 61);
    expect(url.endsWith("&c=94EED9EE65337086")).toBe(true);
    // and AN10922 is CMAC over 01 || M (RFC 4493 example 2 key and message as a cross-check of cmac)
    expect(cmac(Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex"), Buffer.from("6bc1bee22e409f96e93d7e117393172a", "hex")).toString("hex")).toBe(
      "070a16b46b4d4144f79bdd9dd04a287c",
    );
  });
});

describe("verdicts", () => {
  it("accepts a genuine tap once with the per-tag key, names serial and merchant; a replay and an older counter are refused", async () => {
    const first = await api(mint(1, 5));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ valid: true, tag: "city:04000000000001", counter: 5, epoch: 0, serial: 9001, merchant: "Cafe 7" });
    expect((await api(mint(1, 5))).body).toMatchObject({ valid: false, reason: "replay" });
    const older = await api(mint(1, 4));
    expect(older.status).toBe(403);
    expect(older.body.reason).toBe("counter-backwards");
    expect((await api(mint(1, 6))).body).toMatchObject({ valid: true, counter: 6 });
    // the tap path itself, as a phone opens it
    const viaPath = await get(mint(1, 7).slice("https://pay.example.com".length));
    expect(viaPath.body).toMatchObject({ valid: true, counter: 7 });
  });

  it("refuses a MAC made with the master key instead of the tag's own key, and a tag of unknown URL", async () => {
    const forged = sunUrl(BASE, MASTER_META, MASTER_FILE, uidOf(2), 1);
    expect(await api(forged)).toMatchObject({ status: 403, body: { reason: "bad-mac" } });
    expect(await api("https://evil.example.com/t?p=00&c=00")).toMatchObject({ status: 404, body: { reason: "unknown-tag" } });
  });

  it("revocation refuses the tag until restored; re-keying refuses the older epoch", async () => {
    const state = new TapState(db);
    await state.setRevoked("city:04000000000003", true);
    expect((await api(mint(3, 1))).body).toMatchObject({ valid: false, reason: "revoked" });
    await state.setRevoked("city:04000000000003", false);
    expect((await api(mint(3, 2))).body).toMatchObject({ valid: true, counter: 2 });
    await state.rekey("city:04000000000003", 1, 0x1000000);
    expect((await api(mint(3, 3))).body).toMatchObject({ valid: false, reason: "counter-backwards" });
  });

  it("a tap made by the simulated plaque's firmware is accepted and redirected to the merchant's page", async () => {
    const tag = await keyedTag("https://shop.example.com/pay?p={picc}&c={mac}");
    try {
      const url = await tap(tag);
      const r = await get(url.slice("https://shop.example.com".length));
      expect(r.status).toBe(302);
      expect(r.headers.get("location")).toMatch(/^https:\/\/shop\.example\.com\/ok\?tag=shop%3A04[0-9A-F]{12}&n=\d+$/);
      expect((await api(url)).body.reason).toBe("replay");
    } finally {
      await tag.close();
    }
  });
});

describe("signed tap URLs", () => {
  it("a plaque's signed taps are accepted in order, a replay and a changed amount refused", async () => {
    const template = "https://pay.example.com/s?m=shop-42&a=12.50&n={ctr}&t={time}&s={sig}";
    const tg = await bootTag("sim-plaque");
    const signed = await startTapService({
      keys: [...KEYS, { name: "signed", template, mode: "signed", publicKey: Buffer.from(tg.device.keystore.publicKey(0)).toString("hex"), alg: "ed25519" }],
      db,
      ipRate: 0,
      tagRate: 0,
      log: () => undefined,
    });
    try {
      await setTag(tg.client, buildTapTemplate({ url: template, signSlot: 0 }));
      const first = await tap(tg);
      const second = await tap(tg);
      const ask = (url: string) => fetch(`${signed.url}/api/verify?url=${encodeURIComponent(url)}`).then((r) => r.json());
      expect(await ask(first)).toMatchObject({ valid: true, merchant: "shop-42" });
      expect(await ask(second)).toMatchObject({ valid: true });
      expect(await ask(first)).toMatchObject({ valid: false, reason: "counter-backwards" });
      expect(await ask(second)).toMatchObject({ valid: false, reason: "replay" });
      expect(await ask(second.replace("a=12.50", "a=92.50"))).toMatchObject({ valid: false, reason: "malformed" });
    } finally {
      await signed.close();
      await tg.close();
    }
  });
});

describe("bad input: 4xx, nothing stored, still serving", () => {
  const good = () => mint(50, 1);
  const cases: [string, () => Promise<{ status: number }>, number][] = [
    ["an unknown parameter", () => api(`${good()}&x=1`), 400],
    ["a parameter repeated", () => get(`/api/verify?url=${encodeURIComponent(good())}&url=x`), 400],
    ["lower-case hex", () => api(good().replace(/p=([0-9A-F]+)/, (_m, p: string) => `p=${p.toLowerCase()}`)), 400],
    ["non-hex in the MAC", () => api(good().replace(/c=[0-9A-F]{16}/, "c=ZZZZZZZZZZZZZZZZ")), 400],
    ["a truncated PICCData", () => api(good().replace(/p=([0-9A-F]{32})/, (_m, p: string) => `p=${p.slice(0, 30)}`)), 400],
    ["a malformed query string", () => get("/t?%%%&&=="), 400],
    ["an oversized query string", () => get(`/t?p=${"A".repeat(5000)}`), 414],
    ["an oversized url parameter", () => api(`${BASE}?p=${"A".repeat(3000)}`), 414],
    [
      "a huge body",
      () => get("/api/verify", { method: "POST", body: JSON.stringify({ url: "x".repeat(100_000) }), headers: { "content-type": "application/json" } }),
      413,
    ],
    ["a body that is not JSON", () => get("/api/verify", { method: "POST", body: "url=1" }), 400],
    ["a body with extra fields", () => get("/api/verify", { method: "POST", body: JSON.stringify({ url: good(), key: "x" }) }), 400],
    ["a POST to the tap path", () => get("/t", { method: "POST", body: "{}" }), 405],
  ];
  for (const [what, send, status] of cases) {
    it(`${what} -> ${status}`, async () => {
      const before = await rows();
      const r = await send();
      expect(r.status).toBe(status);
      expect(await rows()).toBe(before);
      expect((await get("/health")).status).toBe(200);
    });
  }

  it("a slow client (headers never finished) is cut off with 408 while others are served", async () => {
    const sock = connect(service.port, "127.0.0.1");
    let answer = "";
    sock.on("data", (d) => (answer += d));
    sock.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const closed = new Promise<void>((resolve) => sock.on("close", () => resolve()));
    expect((await get("/health")).status).toBe(200);
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("the access log has one line per request, and no key, MAC or PICCData in it", () => {
    expect(logs.length).toBeGreaterThan(20);
    const text = JSON.stringify(logs).toUpperCase();
    for (const secret of [MASTER_META, MASTER_FILE, an10922(MASTER_FILE, uidOf(1)), Buffer.from(FILE, "hex")])
      expect(text.includes(secret.toString("hex").toUpperCase())).toBe(false);
    expect(text).not.toMatch(/[0-9A-F]{32}/);
    expect(logs.some((l) => l.status === 200 && l.tag === "city:04000000000001")).toBe(true);
  });
});

/** Sends `head`, then `trickle` one piece every `everyMs` until the server answers or closes; resolves with what it said and when. */
function trickle(port: number, head: string, pieces: string[], everyMs: number): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const sock = connect(port, "127.0.0.1");
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    sock.on("data", (d) => (answer += d));
    sock.on("error", () => undefined);
    sock.on("close", () => {
      clearInterval(timer);
      resolve({ answer, ms: performance.now() - started });
    });
    sock.write(head);
    let i = 0;
    timer = setInterval(() => {
      if (i < pieces.length && !sock.destroyed) sock.write(pieces[i++]);
    }, everyMs);
  });
}

describe("slow and cut-off clients (service with 1 s header / 2 s request timeouts)", () => {
  let quick: RunningTapService;
  beforeAll(async () => {
    quick = await startTapService({ keys: KEYS, db, ipRate: 0, tagRate: 0, headersTimeoutMs: 1000, requestTimeoutMs: 2000, log: () => undefined });
  });
  afterAll(() => quick?.close());
  const ask = (url: string) => fetch(`${quick.url}/api/verify?url=${encodeURIComponent(url)}`).then(async (r) => ({ status: r.status, body: await r.json() }));
  const stateOf = (i: number) => new TapState(db).state(`city:${uidOf(i).toString("hex").toUpperCase()}`);

  it("a body trickled a byte at a time is cut off with 408 and its tap is not taken; genuine taps are served meanwhile", async () => {
    const body = JSON.stringify({ url: mint(70, 1) });
    const head = `POST /api/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const slow = trickle(quick.port, head, [...body], 100);
    // while it trickles, other phones are answered at once
    for (let c = 1; c <= 5; c++) expect((await ask(mint(71, c))).status).toBe(200);
    const { answer, ms } = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(body.length * 100); // cut before the body was complete
    expect(await stateOf(70)).toBeUndefined();
    expect((await stateOf(71))?.sequence).toBe(5);
  });

  it("100 slowloris connections trickling headers are all cut off with 408 while others are served", async () => {
    const before = await rows();
    const loris = Array.from({ length: 100 }, (_, i) =>
      trickle(
        quick.port,
        "GET /t?p=",
        [..."0123456789ABCDEF0123456789ABCDEF"].map((ch) => ch + (i % 10)),
        150,
      ),
    );
    for (let c = 1; c <= 10; c++) expect((await ask(mint(72, c))).status).toBe(200);
    expect((await get("/health")).status).toBe(200);
    const cut = await Promise.all(loris);
    expect(cut.filter((r) => /^HTTP\/1\.1 408/.test(r.answer))).toHaveLength(100);
    expect(Math.max(...cut.map((r) => r.ms))).toBeLessThan(4000); // 1 s header timeout, checked every second
    expect(await rows()).toBe(before + 1);
  });

  it("a client that cuts the connection half-way through its body stores nothing; the next request is served", async () => {
    const body = JSON.stringify({ url: mint(73, 1) });
    await new Promise<void>((resolve) => {
      const sock = connect(quick.port, "127.0.0.1", () => {
        sock.write(`POST /api/verify HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 40)}`);
        setTimeout(() => sock.destroy(), 100);
      });
      sock.on("close", () => resolve());
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await stateOf(73)).toBeUndefined();
    expect((await ask(mint(73, 2))).status).toBe(200);
  });

  it("a chunked body without a length is refused 413 past 4 KiB, headers over 16 KiB 431; nothing stored", async () => {
    const before = await rows();
    const chunk = `${"x".repeat(1024).length.toString(16)}\r\n${"x".repeat(1024)}\r\n`;
    const chunked = await trickle(quick.port, "POST /api/verify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", Array(8).fill(chunk), 10);
    expect(chunked.answer).toMatch(/^HTTP\/1\.1 413/);
    const bigHeader = await trickle(quick.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\n`, [], 1000);
    expect(bigHeader.answer).toMatch(/^HTTP\/1\.1 431/);
    expect(await rows()).toBe(before);
    expect((await get("/health")).status).toBe(200);
  });
});

describe("rate limits", () => {
  it("answer 429 past the per-address and per-tag budgets, before any counter is taken", async () => {
    const limited = await startTapService({ keys: KEYS, db, ipRate: 1, ipBurst: 3, tagRate: 0.001, tagBurst: 1, log: () => undefined });
    try {
      const ask = (url: string) =>
        fetch(`${limited.url}/api/verify?url=${encodeURIComponent(url)}`).then(async (r) => ({ status: r.status, body: await r.json() }));
      // per tag: the first tap of tag 60 passes, the second (a new counter) is over its budget
      expect((await ask(mint(60, 1))).status).toBe(200);
      const second = await ask(mint(60, 2));
      expect(second).toMatchObject({ status: 429, body: { reason: "rate-limited" } });
      expect((await new TapState(db).state(`city:${uidOf(60).toString("hex").toUpperCase()}`))?.sequence).toBe(1);
      // per address: the burst of 3 is spent (2 above + 1), the next request waits its turn
      expect((await ask(mint(61, 1))).status).toBe(200);
      expect((await ask(mint(62, 1))).status).toBe(429);
      expect(await new TapState(db).state(`city:${uidOf(62).toString("hex").toUpperCase()}`)).toBeUndefined();
    } finally {
      await limited.close();
    }
  });
});

describe("keys file", () => {
  it("is refused unless owner-only, and read from $TAPKIT_TAP_KEYS without a file", () => {
    const path = join(tmp, "keys.json");
    writeFileSync(path, JSON.stringify({ tags: KEYS }));
    chmodSync(path, 0o644);
    expect(() => loadBackendKeys(path)).toThrow(/can be read by others/);
    chmodSync(path, 0o600);
    expect(loadBackendKeys(path).map((k) => k.name)).toEqual(["city", "shop"]);
    expect(loadBackendKeys(undefined, { TAPKIT_TAP_KEYS: JSON.stringify({ tags: KEYS }) })).toHaveLength(2);
    expect(() => loadBackendKeys(undefined, {})).toThrow(/no keys/);
  });
});
