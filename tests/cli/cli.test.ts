// The tapkit CLI as a user runs it: help, exit codes and hints for each failure class,
// --json output, and the device commands against a `tapkit sim` served on a real
// pseudo-terminal (serialport opens it like a USB-serial adapter).
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { PNG } from "pngjs";
import { XMLParser } from "fast-xml-parser";
import { tapkit, startSim, tempDir, haveSocat } from "./cli-helpers.ts";
import { CHANNEL, FLAGS, FrameReceiver, encodeFrame } from "../../host-tools/src/link/index.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

test("--help lists the commands; every command has --help with examples", async () => {
  const main = await tapkit(["--help"]);
  assert.equal(main.code, 0);
  const names = ["demo", "build", "boards", "sim", "info", "monitor", "nfc apdu", "display", "hil", "bench"];
  for (const n of names) assert.match(main.stdout, new RegExp(`\\n  ${n} `), `--help lists ${n}`);
  for (const n of names) {
    const r = await tapkit([...n.split(" "), "--help"]);
    assert.equal(r.code, 0, `${n} --help exits 0`);
    assert.match(r.stdout, /examples:\n {2}\S/, `${n} --help has examples`);
    assert.match(r.stdout, /--json/, `${n} --help offers --json`);
  }
});

test("usage errors exit 2 with a hint", async () => {
  const unknown = await tapkit(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.match(unknown.stderr, /hint: /);
  const noPort = await tapkit(["info"]);
  assert.equal(noPort.code, 2);
  assert.match(noPort.stderr, /no device port given/);
  const badHex = await tapkit(["nfc", "apdu", "--port", "tcp:127.0.0.1:1", "00A4ZZ", "--json"]);
  assert.equal(badHex.code, 2);
  assert.equal(badHex.json.ok, false);
  assert.equal(badHex.json.error.code, "USAGE");
});

test("a missing serial port exits 3 and says what to check", async () => {
  const r = await tapkit(["info", "--port", "/dev/ttyTAPKIT-NOPE", "--json"]);
  assert.equal(r.code, 3);
  assert.equal(r.json.error.code, "PORT_MISSING");
  assert.match(r.json.error.hint, /cable|path/);
});

test("a port that answers garbage exits 6 (not a tapkit device)", async (t) => {
  const server = createServer((s) => {
    s.on("data", () => s.write(Buffer.from("ERROR\r\nOK\r\n> ")));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.onTestFinished(() => void server.close());
  const port = (server.address() as AddressInfo).port;
  const r = await tapkit(["info", "--port", `tcp:127.0.0.1:${port}`, "--json"]);
  assert.equal(r.code, 6, r.stdout + r.stderr);
  assert.equal(r.json.error.code, "NOT_TAPKIT");
  assert.match(r.json.error.hint, /baud|tapkit/);
});

test("a device that answers hello and then goes silent exits 5 (timed out)", async (t) => {
  const server = createServer((s) => {
    const rx = new FrameReceiver();
    s.on("data", (d) => {
      for (const f of rx.push(d)) {
        if (f.body.op === "hello") {
          s.write(
            encodeFrame({
              channel: CHANNEL.SHELL,
              flags: FLAGS.RESP,
              seq: f.seq,
              body: { v: 1, max: 1024, board: "mute", fw: "0.0.1", abi: 1, shell: "test" },
            }),
          );
        }
      }
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.onTestFinished(() => void server.close());
  const port = (server.address() as AddressInfo).port;
  const r = await tapkit(["info", "--port", `tcp:127.0.0.1:${port}`, "--json"], { timeoutMs: 30000 });
  assert.equal(r.code, 5, r.stdout + r.stderr);
  assert.equal(r.json.error.code, "TIMEOUT");
});

test("nothing listening on a tcp: port exits 3 (port missing), as the README says", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  const r = await tapkit(["info", "--port", `tcp:127.0.0.1:${port}`, "--json"]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.deepEqual([r.json.error.code, r.json.error.exit], ["CONNECT_REFUSED", 3]);
  assert.match(r.json.error.hint, /simulator running/);
});

test("a device answering hello with another link version exits 6 (not a tapkit device we speak to)", async () => {
  const server = createServer((s) => {
    const rx = new FrameReceiver();
    s.on("data", (d) => {
      for (const f of rx.push(d)) {
        if (f.body.op === "hello")
          s.write(
            encodeFrame({
              channel: CHANNEL.SHELL,
              flags: FLAGS.RESP,
              seq: f.seq,
              body: { v: 9, max: 1024, board: "future", fw: "9.0.0", abi: 9, shell: "test" },
            }),
          );
      }
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const r = await tapkit(["info", "--port", `tcp:127.0.0.1:${(server.address() as AddressInfo).port}`, "--json"]);
    assert.equal(r.code, 6, r.stdout + r.stderr);
    assert.equal(r.json.error.code, "UNSUPPORTED_VERSION");
    assert.match(r.json.error.message, /protocol 9/);
  } finally {
    server.close();
  }
});

test("a broken board file exits 9 naming the field and the rule", async (t) => {
  const dir = tempDir(t);
  const board = JSON.parse(readFileSync("boards/sim-plaque.json", "utf8"));
  board.flash.pageSize = 3000;
  const file = join(dir, "sim-plaque.json");
  writeFileSync(file, JSON.stringify(board));
  const r = await tapkit(["build", "--board", file]);
  assert.equal(r.code, 9, r.stderr);
  assert.match(r.stderr, /\/flash\/pageSize/);
  assert.match(r.stderr, /4096/);
});

test("sim + info/nfc apdu/display/hil/monitor over the simulator's serial port, then a clean stop", async (t) => {
  const socat = haveSocat();
  if (!socat) await t.annotate("SOCAT MISSING: apt-get install socat — testing over TCP only, the pseudo-terminal path is NOT tested");
  const dir = tempDir(t);
  const sim = await startSim(socat ? ["--pty", join(dir, "pty")] : ["--no-pty"]);
  t.onTestFinished(() => void sim.stop("SIGKILL"));
  assert.equal(sim.ready.board, "sim-plaque");
  if (socat) assert.equal(sim.ready.pty, join(dir, "pty"));

  const info = await tapkit(["info", "--port", sim.port, "--json"]);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(info.json.board, "sim-plaque");
  assert.equal(info.json.abi, 1);
  assert.equal(typeof info.json.link.crc, "number");
  assert.equal(info.json.state, "demo", "the lifecycle state, for scripts");
  const human = await tapkit(["info", "--port", sim.port]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /state\s+demo \(demo keys, not for money\)/);

  const apdu = await tapkit(["nfc", "apdu", "--port", sim.port, "00A4040007D276000085010100", "--json"]);
  assert.equal(apdu.code, 0, apdu.stderr);
  assert.match(apdu.json.sw, /^[0-9A-F]{4}$/);

  const png = join(dir, "panel.png");
  const disp = await tapkit(["display", "--port", sim.port, "--png", png, "--scale", "2", "--json"]);
  assert.equal(disp.code, 0, disp.stderr);
  const img = PNG.sync.read(readFileSync(png));
  assert.equal(img.width, 400);
  assert.equal(img.height, 400);
  let dark = 0;
  for (let i = 0; i < img.data.length; i += 4) if (img.data[i] < 128) dark++;
  assert.equal(dark, disp.json.blackPixels * 4, "every black panel pixel is a 2x2 dark block in the PNG");
  assert.ok(dark > 0, "the splash is drawn");

  const junit = join(dir, "report.xml");
  // A sample (tests/hil runs the whole catalogue): the link and Type 4 cases, and the
  // state-changing SUN cases, skipped without --allow-destructive.
  const hil = await tapkit(["hil", "--port", sim.port, "--only", "link", "--only", "NFC-T4-*", "--only", "NFC-SUN-*", "--junit", junit, "--json"], {
    timeoutMs: 120000,
  });
  assert.equal(hil.code, 0, hil.stderr);
  assert.equal(hil.json.failed + hil.json.errors, 0);
  assert.ok(hil.json.skipped >= 2, "state-changing cases skipped by default");
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(junit, "utf8"));
  assert.equal(Number(xml.testsuites.tests), hil.json.passed + hil.json.skipped + hil.json.notApplicable);

  const mon = await tapkit(["monitor", "--port", sim.port, "--seconds", "0.5", "--level", "3", "--json"]);
  assert.equal(mon.code, 0, mon.stderr);

  const code = await sim.stop("SIGTERM");
  assert.equal(code, 0, "SIGTERM stops the simulator cleanly");
  assert.deepEqual(JSON.parse(sim.lines.at(-1)!), { event: "stopped" });
  if (socat) assert.equal(existsSync(join(dir, "pty")), false, "the pty link is removed");
});

test("a simulator with --state keeps its device across restarts; --blank starts without the demo set-up", async (t) => {
  const dir = tempDir(t);
  const state = join(dir, "state");
  const first = await startSim(["--no-pty", "--state", state]);
  const a = await tapkit(["info", "--port", first.port, "--json"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(await first.stop(), 0);
  assert.ok(existsSync(join(state, "keystore.json")), "keystore kept in the state dir");
  const keysBefore = readFileSync(join(state, "keystore.json"), "utf8");
  const second = await startSim(["--no-pty", "--state", state]);
  assert.equal(await second.stop(), 0);
  assert.equal(readFileSync(join(state, "keystore.json"), "utf8"), keysBefore, "demo keys are not regenerated on restart");

  const blank = await startSim(["--no-pty", "--blank"]);
  t.onTestFinished(() => void blank.stop("SIGKILL"));
  assert.equal(blank.ready.demo, false);
  const blankInfo = await tapkit(["info", "--port", blank.port, "--json"]);
  assert.equal(blankInfo.json.state, "blank");
  assert.equal(await blank.stop(), 0);
});
