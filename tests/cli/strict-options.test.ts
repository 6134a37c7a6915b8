// Issue 16, finding 4: arguments must not silently change meaning. Every numeric (and hex)
// option of every command goes through cli/option-values.ts: decimal digits only, ranges
// checked, before any device is contacted. Table-driven over each option: every malformed
// value must end in a usage error (exit 2, code USAGE) naming the option, with a hint. The
// commands point at a TCP port nothing listens on, so a value that slipped through would
// show up as a connection error (exit 3) or as success instead. Runs the CLI's main() in
// process (hundreds of runs; a child process each would take minutes on the shared machine).
import { afterAll, beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tapkitInProcess } from "./cli-helpers.ts";
import { ROOT } from "../../host-tools/src/paths.ts";
import { issuerInit } from "../../host-tools/src/wallet/index.ts";

const P = "tcp:127.0.0.1:1"; // nothing listens: reaching the device would be exit 3
let dir = "";
let issuer = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tapkit-strict-"));
  issuer = join(dir, "issuer");
  issuerInit(issuer);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `tapkit ...args --json` in process: the exit status and the JSON error it printed. */
async function run(args: string[]): Promise<{ code: number; error: { code: string; message: string; hint: string } | null }> {
  const r = await tapkitInProcess(args);
  return { code: r.code, error: r.json?.error ?? null };
}

/** Values Number() would have taken (and one for each edge), refused for every numeric option. */
const MALFORMED = ["0x10", "1e3", "0b11", "0o7", " 5", "5 ", "+5", "-1", "1.5", "1_000", "", "Infinity", "NaN", "５"];

interface NumericOption {
  /** the command and every other argument it needs to get as far as parsing this option */
  argv: string[];
  option: string;
  /** values in range for the command but out of range for this option (refused too) */
  outOfRange: string[];
  /** a duration: a decimal fraction such as 1.5 is a valid value here */
  fractions?: boolean;
}

const card = ["--port", P];
const TABLE: NumericOption[] = [
  // wallet pay / accept: finding 4's --sub 256 and --amount 0x10
  ...["amount", "sub"].map((option) => ({
    argv: ["wallet", "pay", ...card, "--amount", "1", "--currency", "EUR", "--payee", "shop"],
    option,
    outOfRange: option === "sub" ? ["4", "256", "65536"] : ["0", "4294967296", "99999999999999999999"],
  })),
  ...["amount", "sub"].map((option) => ({
    argv: ["wallet", "accept", "--card", P, "--plaque", P, "--amount", "1"],
    option,
    outOfRange: option === "sub" ? ["4", "256"] : ["0", "4294967296"],
  })),
  ...[
    ["unit", ["0", "4294967296"]],
    ["length", ["0", "1001"]],
    ["taps", ["1001"]],
  ].map(([option, outOfRange]) => ({
    argv: ["wallet", "accept", "--card", P, "--plaque", P, "--unit", "1", "--length", "10"],
    option: option as string,
    outOfRange: outOfRange as string[],
  })),
  { argv: ["wallet", "log", ...card], option: "count", outOfRange: ["0", "65", "1000"] },
  ...[
    ["sub", ["4", "256"]],
    ["per", ["4294967296"]],
    ["cumulative", ["4294967296"]],
    ["max-count", ["0", "4294967296"]],
  ].map(([option, outOfRange]) => ({
    argv: ["wallet", "limits", ...card, "--sub", "0", "--per", "1", "--cumulative", "1", "--max-count", "1", "--pin", "1234"],
    option: option as string,
    outOfRange: outOfRange as string[],
  })),
  ...[
    ["sub", ["0", "4", "256"]],
    ["amount", ["0", "4294967296"]],
  ].map(([option, outOfRange]) => ({
    argv: ["wallet", "fund", ...card, "--sub", "1", "--amount", "1", "--pin", "1234"],
    option: option as string,
    outOfRange: outOfRange as string[],
  })),
  { argv: ["wallet", "close", ...card, "--sub", "1", "--pin", "1234"], option: "sub", outOfRange: ["0", "4", "257"] },
  ...[
    ["per", ["4294967296"]],
    ["cumulative", ["4294967296"]],
    ["count", ["0", "4294967296"]],
    ["max", ["4294967296"]],
    ["balance", ["4294967296"]],
    ["slot", ["2", "256"]],
  ].map(([option, outOfRange]) => ({
    argv: ["issuer", "certify", ...card, "--issuer", "ISSUER", "--currency", "EUR", "--balance", "1", "--pin", "1234"],
    option: option as string,
    outOfRange: outOfRange as string[],
  })),
  ...[
    ["top-up", ["4294967296"]],
    ["settled-counter", ["4294967296"]],
  ].map(([option, outOfRange]) => ({ argv: ["issuer", "sync", ...card, "--issuer", "ISSUER"], option: option as string, outOfRange: outOfRange as string[] })),
  ...[
    ["per", ["4294967296"]],
    ["cumulative", ["4294967296"]],
    ["max-count", ["0"]],
    ["max-balance", ["4294967296"]],
  ].map(([option, outOfRange]) => ({
    argv: ["issuer", "sync", ...card, "--issuer", "ISSUER", "--per", "1", "--cumulative", "1", "--max-count", "1", "--max-balance", "1"],
    option: option as string,
    outOfRange: outOfRange as string[],
  })),
  { argv: ["monitor", ...card], option: "level", outOfRange: ["4", "256"] },
  { argv: ["monitor", ...card], option: "seconds", outOfRange: ["0", "0.0", "86401", "1.", ".5", "1.1234567"], fractions: true },
  { argv: ["display", ...card, "--png", "panel.png"], option: "scale", outOfRange: ["0", "17"] },
  { argv: ["info", ...card], option: "baud", outOfRange: ["0", "1199", "4000001"] },
  { argv: ["qr", "amount", ...card, "12.50"], option: "timeout", outOfRange: ["0", "3601"] },
  { argv: ["sim", "--board", "sim-card"], option: "tcp", outOfRange: ["0", "65536", "99999"] },
  { argv: ["torture", "store"], option: "cuts", outOfRange: ["0", "100000001"] },
  { argv: ["torture", "store"], option: "seed", outOfRange: ["4294967296"] },
  {
    argv: ["verify", "sun", "--uid", "04A1B2C3D4E5F6", "--ctr", "1", "--mac", "0123456789ABCDEF", "--file-key", "00".repeat(16)],
    option: "ctr",
    outOfRange: ["16777216"],
  },
  {
    argv: ["emv", "build", "--name", "CAFE", "--city", "LISBOA", "--country", "PT", "--currency", "978", "--mcc", "5812", "--account", "26:PT.EX:01=1"],
    option: "ref",
    outOfRange: ["0", "9007199254740992", "99999999999999999999999999"],
  },
  ...["meta-slot", "file-slot", "sign-slot"].map((option) => ({
    argv: ["ndef", "build", "--tap", "https://pay.example.com/t?p={picc}&c={mac}"],
    option,
    outOfRange: ["256"],
  })),
  { argv: ["ndef", "build", "--tap", "https://pay.example.com/t?p={picc}&c={mac}"], option: "counter-limit", outOfRange: ["0", "16777217"] },
  { argv: ["image", "verify", "x.tki", "--key", "00"], option: "hal-abi", outOfRange: ["0", "65536"] },
  { argv: ["provision", "--port", P, "--manifest", "x.json"], option: "reprovision", outOfRange: ["9007199254740992"] },
  ...(["serial", "hours"] as const).map((option) => ({
    argv: ["provision", "authorise", "--issuer", "ISSUER", "--batch", "B1", "--serial", "1", "--uid", "04A1B2C3D4E5F6", "--out", "/nonexistent/grant.json"],
    option,
    outOfRange: option === "serial" ? ["9007199254740992"] : ["0", "8761"],
  })),
];

for (const row of TABLE) {
  const name = `${row.argv.slice(0, 2).join(" ")} --${row.option}`;
  test(`${name}: malformed and out-of-range values are usage errors naming the option`, async () => {
    const base = row.argv.map((a) => (a === "ISSUER" ? issuer : a));
    // drop the option's own default value from the base, if the base gives it
    const at = base.indexOf(`--${row.option}`);
    const rest = at >= 0 ? [...base.slice(0, at), ...base.slice(at + 2)] : base;
    for (const value of [...MALFORMED.filter((v) => !(row.fractions && v === "1.5")), ...row.outOfRange]) {
      const r = await run([...rest, `--${row.option}`, value]);
      assert.equal(r.code, 2, `${name} '${value}': exit ${r.code} ${JSON.stringify(r.error)}`);
      assert.equal(r.error?.code, "USAGE", `${name} '${value}'`);
      assert.ok(r.error.message.includes(`--${row.option}`), `${name} '${value}': the message names the option: ${r.error.message}`);
      assert.ok(r.error.hint.length > 0);
    }
  });
}

test("hex options: odd length, non-hex and wrong byte counts are usage errors naming the option", async () => {
  const pay = ["wallet", "pay", "--port", P, "--amount", "1", "--currency", "EUR", "--payee", "shop"];
  const verify = ["verify", "voucher", join(ROOT, "package.json"), "--root", "00"];
  for (const argv of [pay, verify])
    for (const value of ["abc", "0g".repeat(16), "00".repeat(15), "00".repeat(33), "0x" + "00".repeat(16)]) {
      const r = await run([...argv, "--challenge", value]);
      assert.equal(r.code, 2, `${argv[0]} ${argv[1]} --challenge '${value}': exit ${r.code} ${JSON.stringify(r.error)}`);
      assert.match(r.error!.message, /--challenge/);
    }
  const sun = ["verify", "sun", "--ctr", "1", "--file-key", "00".repeat(16)];
  for (const [option, value] of [
    ["uid", "04A1B2C3D4E5F"],
    ["uid", "04A1B2C3D4E5"],
    ["mac", "0123456789ABCDE"],
    ["mac", "0123456789ABCD"],
  ]) {
    const args = [...sun, "--uid", option === "uid" ? value : "04A1B2C3D4E5F6", "--mac", option === "mac" ? value : "0123456789ABCDEF"];
    const r = await run(args);
    assert.equal(r.code, 2, `verify sun --${option} '${value}': exit ${r.code} ${JSON.stringify(r.error)}`);
    assert.match(r.error!.message, new RegExp(`--${option}`));
  }
});

test("valid values still parse: leading zeros, the range edges", async () => {
  // reaches the (absent) device, so exit 3: the option itself was accepted
  for (const [option, value] of [
    ["amount", "007"],
    ["amount", "4294967295"],
    ["sub", "3"],
    ["sub", "0"],
  ]) {
    const r = await run(["wallet", "pay", "--port", P, "--amount", "1", "--currency", "EUR", "--payee", "shop", `--${option}`, value]);
    assert.equal(r.code, 3, `--${option} ${value}: ${JSON.stringify(r.error)}`);
  }
  const mon = await run(["monitor", "--port", P, "--seconds", "0.5"]);
  assert.equal(mon.code, 3, `monitor --seconds 0.5 is a valid duration: ${JSON.stringify(mon.error)}`);
  const r = await run([
    "emv",
    "build",
    "--name",
    "CAFE",
    "--city",
    "LISBOA",
    "--country",
    "PT",
    "--currency",
    "978",
    "--mcc",
    "5812",
    "--account",
    "26:PT.EX:01=1",
    "--ref",
    "9007199254740991",
  ]);
  assert.equal(r.code, 0, JSON.stringify(r.error));
});

test("tcp:HOST:PORT outside 1..65535 is an error naming the port, not an internal error", async () => {
  for (const port of ["tcp:127.0.0.1:99999", "tcp:127.0.0.1:0", "tcp:127.0.0.1:123456789012"]) {
    const r = await run(["info", "--port", port]);
    assert.equal(r.code, 3, `${port}: ${JSON.stringify(r.error)}`);
    assert.equal(r.error?.code, "PORT_MISSING");
    assert.match(r.error!.message, /not 1\.\.65535/);
  }
});

test("no command parses numbers on its own: Number( and parseInt( appear only in the shared module", () => {
  const cli = join(ROOT, "host-tools", "src", "cli");
  const offenders: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith("option-values.ts") && !p.endsWith("output.ts")) {
        readFileSync(p, "utf8")
          .split("\n")
          .forEach((line, i) => {
            if (/\b(Number|parseInt|parseFloat)\(/.test(line)) offenders.push(`${p.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk(cli);
  assert.deepEqual(offenders, []);
});
