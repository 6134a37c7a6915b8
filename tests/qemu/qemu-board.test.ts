// The qemu-m4 board end to end: the ELF the build makes, the C shell booting the firmware in
// QEMU (mps2-an386) with its chips on the host, `tapkit sim --board qemu-m4` with the same
// ready line as the simulator, `tapkit info` and the whole conformance suite over its pty,
// a clean stop on SIGTERM and SIGINT, explicit bounds checks trapping when linear memory is
// backed short, and no key byte ever in the MCU's RAM. Skips LOUDLY without qemu-system-arm,
// gcc-arm-none-eabi, libnewlib-arm-none-eabi or wabt.
import { beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { lstatSync, mkdtempSync, readlinkSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { qemuShell, type Board } from "../../host-tools/src/boards/index.ts";
import { buildNativeShell } from "../../host-tools/src/build/native-shell.ts";
import { ROOT, firmwarePath } from "../../host-tools/src/paths.ts";
import { startQemuBoard } from "../../host-tools/src/qemu/qemu-board.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { selectCases } from "../../hil-tests/select.ts";
import { CLI, ensureCli, startSim, tapkit, tempDir } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { alive, childrenNamed, pathExists, qemuBoardElf, qemuMissing } from "./qemu-fixture.ts";

// QEMU boots in about a second, the conformance run over the pty takes 25-60 s.
longTests();

const skip = qemuMissing !== null;
let board: Board;
let elfPath: string;

beforeAll(async () => {
  if (skip) return;
  ({ board, elfPath } = await qemuBoardElf());
  ensureCli();
});

test("the build makes build/qemu-m4/firmware.elf: the firmware compiled in, linear memory and stack as the board file says", { skip }, async () => {
  const build = JSON.parse(readFileSync(join(firmwarePath(board.name), "..", "build.json"), "utf8"));
  const native = build.native;
  assert.ok(native && !native.skipped, `build.json records the ELF: ${JSON.stringify(native)}`);
  const shell = qemuShell(board)!;
  assert.equal(native.sections.linear, build.staticData.heapBase, "linear memory backed up to the module's __heap_base");
  assert.equal(native.sections.stack, shell.stackBytes);
  assert.ok(native.sections.text > 50_000, `text ${native.sections.text} holds the compiled firmware`);
  assert.equal(native.flash, native.sections.text + native.sections.rodata + native.sections.data);
  const nm = await promisify(execFile)("arm-none-eabi-nm", [elfPath], { encoding: "utf8" });
  for (const symbol of ["Z_fwZ_tk_init", "Z_halZ_ks_sign", "Reset_Handler", "wasm_rt_trap"]) assert.match(nm.stdout, new RegExp(` ${symbol}\\n`), symbol);
  assert.doesNotMatch(nm.stdout, / (__assert_func|printf)\n/, "NDEBUG: no assert or printf pulled in");
  const header = await promisify(execFile)("arm-none-eabi-readelf", ["-h", elfPath], { encoding: "utf8" });
  assert.match(header.stdout, /Machine:\s+ARM/);
});

test("explicit bounds checks: backing fewer bytes of linear memory than the firmware's data makes it trap out of bounds, and the shell halts the crash loop", {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-short-"));
  try {
    const build = JSON.parse(readFileSync(join(firmwarePath(board.name), "..", "build.json"), "utf8"));
    const half = (build.staticData.heapBase >> 4) << 3; // half the static data, 8-aligned
    const shell = { ...qemuShell(board)!, linearBytes: half };
    const short = { ...board, shell };
    const built = await buildNativeShell(short, shell, firmwarePath(board.name), dir);
    assert.equal(built.sections.linear, half);
    const console: string[] = [];
    await assert.rejects(
      startQemuBoard({ board: short, elfPath: built.elfPath, onConsole: (l) => console.push(l) }),
      (e: unknown) => e instanceof TapkitError && e.code === "SIM_BOOT_FAILED",
    );
    assert.ok(
      console.some((l) => /wasm trap: out of bounds memory access \(rebooting\)/.test(l)),
      console.join("\n"),
    );
    assert.ok(console.filter((l) => /, boot \d+$/.test(l)).length >= 9, "it rebooted after each trap");
    assert.ok(console.some((l) => /crashed during every boot/.test(l)) && console.some((l) => /halted/.test(l)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tapkit sim --board qemu-m4: the simulator's ready line; info and a conformance sample of every area over its pty; SIGTERM stops QEMU and removes the pty", {
  skip,
}, async (t) => {
  const reference = await startSim(["--no-pty"]);
  const referenceFields = Object.keys(reference.ready).sort();
  await reference.stop();

  const sim = await startSim(["--board", "qemu-m4"]);
  let stopped = false;
  t.onTestFinished(async () => void (stopped || (await sim.stop("SIGKILL"))));
  assert.deepEqual(Object.keys(sim.ready).sort(), referenceFields, "same fields as tapkit sim's ready line");
  assert.equal(sim.ready.board, "qemu-m4");
  assert.equal(sim.ready.tcp, null, "the link is on the pty only");
  assert.match(readlinkSync(sim.ready.pty!), /^\/dev\/pts\/\d+$/);
  const [qemu] = childrenNamed(sim.child.pid!, "qemu-system-arm");
  assert.ok(qemu && alive(qemu), "QEMU runs as a child of tapkit sim");

  const info = await tapkit(["info", "--port", sim.port, "--json"]);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(info.json.board, "qemu-m4");
  assert.match(info.json.shell, /^tapkit-cortex-m\/\d+\.\d+\.\d+$/);
  assert.equal(info.json.store.pages, 20, "the store mounted on the NOR chip");
  const build = JSON.parse(readFileSync(join(firmwarePath(board.name), "..", "build.json"), "utf8"));
  assert.deepEqual(
    [info.json.linearMemory.used, info.json.linearMemory.backed],
    [build.staticData.heapBase, build.native.sections.linear],
    "linear memory used and backed, from the build record",
  );
  const infoText = await tapkit(["info", "--port", sim.port]);
  assert.match(
    infoText.stdout,
    new RegExp(
      `linear memory ${build.staticData.heapBase.toLocaleString("en-US")} B used \\(1 declared 64 KiB page; the qemu-m4 shell backs only the used bytes\\)`,
    ),
  );

  const junit = join(tempDir(t), "qemu.xml");
  // A sample of every area (the whole catalogue runs against the simulator in tests/hil):
  // link rules, store, the Type 4 and SUN cases, classes, QR and EMV on the panel, wallet roles.
  const only = [
    "link",
    "store",
    "NFC-T4-*",
    "NFC-SUN-*",
    "NFC-SEL-*",
    "NFC-CC-*",
    "ISO-CLA-*",
    "QR-00?",
    "QR-VE-01?",
    "EMV-DO-*",
    "NDEF-URI-00?",
    "WALLET-*",
    "PAYWORD-*",
  ];
  const hil = await tapkit(
    ["hil", "--port", sim.port, "--junit", junit, "--allow-destructive", "--seed", "5", ...only.flatMap((p) => ["--only", p]), "--json"],
    {
      timeoutMs: 480_000,
    },
  );
  assert.equal(hil.code, 0, hil.stdout + hil.stderr);
  const notPassed = hil.json.cases.filter((c: any) => c.verdict !== "pass" && c.verdict !== "n/a");
  assert.deepEqual(
    notPassed.map((c: any) => [c.id, c.verdict, c.message]),
    [],
    "every case applying to a plaque passes over the pty",
  );
  const na = hil.json.cases.filter((c: any) => c.verdict === "n/a");
  assert.deepEqual(
    na.map((c: any) => c.id),
    selectCases(ALL_CASES, { only })
      .filter((c) => c.roles && !c.roles.includes("plaque"))
      .map((c) => c.id),
    "only the card's cases do not apply to a plaque",
  );
  assert.ok(
    na.every((c: any) => /plaque/.test(c.message)),
    "each n/a says why",
  );
  assert.equal(hil.json.passed, selectCases(ALL_CASES, { only }).length - na.length);
  assert.equal(hil.json.facts.path.link, sim.port, "the report names the pty path");
  assert.deepEqual([hil.json.facts.board, hil.json.facts.path.nfcKind], ["qemu-m4", "nfc-test"], "the qemu-m4 board, tag APDUs over its link");
  assert.equal(hil.json.device.shell.startsWith("tapkit-cortex-m/"), true);

  const code = await sim.stop("SIGTERM");
  stopped = true;
  assert.equal(code, 0);
  assert.ok(sim.lines.some((l) => JSON.parse(l).event === "stopped"));
  assert.equal(alive(qemu), false, "no QEMU left behind");
  assert.equal(pathExists(sim.ready.pty!), false, "the pty link is gone");
});

test("SIGINT (Ctrl-C) stops tapkit sim --board qemu-m4 and its QEMU as well", { skip }, async (t) => {
  const link = join(tempDir(t), "link");
  const sim = await startSim(["--board", "qemu-m4", "--pty", link]);
  const [qemu] = childrenNamed(sim.child.pid!, "qemu-system-arm");
  assert.equal(sim.ready.pty, link, "--pty names the link");
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(await sim.stop("SIGINT"), 0);
  assert.equal(alive(qemu), false);
  assert.equal(pathExists(sim.ready.pty!), false);
});

test("keys stay in the secure element: after taps and voucher checks, no byte string of any key is in the MCU's RAM", { skip }, async () => {
  const running = await startQemuBoard({ board, elfPath });
  try {
    const run = await promisify(execFile)(
      process.execPath,
      [
        CLI,
        "hil",
        "--port",
        running.ports.pty,
        "--only",
        "NFC-SUN-*",
        "--only",
        "ACCEPTOR-001",
        "--allow-destructive",
        "--json",
        "--junit",
        join(tmpdir(), `tapkit-keys-${process.pid}.xml`),
      ],
      { cwd: ROOT, encoding: "utf8" },
    ).catch((e) => e);
    assert.equal(JSON.parse(run.stdout).failed, 0, run.stdout);
    assert.ok(
      (running.chips.halCalls.get("ks_cmac") ?? 0) + (running.chips.halCalls.get("ks_derive_cmac") ?? 0) > 0,
      "SUN MACs were computed by the secure element",
    );
    assert.ok((running.chips.halCalls.get("ks_verify") ?? 0) > 0, "voucher signatures were checked by the secure element");
    const ram = Buffer.from(await running.readMemory(0x20000000, 160 * 1024));
    assert.ok(ram.includes(Buffer.from("qemu-m4")), "the RAM image is readable (the board name is in it)");
    for (const slot of [0, 1, 2, 3]) {
      const secret = Buffer.from(running.chips.keystore.demoSecret(slot));
      assert.equal(ram.includes(secret), false, `key of slot ${slot} is not in RAM`);
      assert.equal(ram.includes(secret.subarray(0, 8)), false, `no 8-byte piece of slot ${slot}'s key is in RAM`);
    }
    assert.ok((await running.stackHighWater()) < qemuShell(board)!.stackBytes / 2, "the stack high-water mark is well inside the reserved stack");
  } finally {
    await running.stop();
  }
});
