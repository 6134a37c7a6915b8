// The C shell backs only the linear memory the module needs (issue 12 item 4): with no
// shell.linearBytes in the board file, the build backs exactly the module's exported
// __heap_base, and wasm2c's explicit bounds checks compare every access with that size.
// A probe module built through the same shell and wasm-rt reads the byte at
// __heap_base - 2 + k for each byte k the host sends: the last two backed bytes come back
// with their data-segment values, the first byte past them traps and reboots the MCU.
// Skips LOUDLY without the Debian tools (qemu-fixture.ts).
import { beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { qemuShell, type Board } from "../../host-tools/src/boards/index.ts";
import { buildNativeShell } from "../../host-tools/src/build/native-shell.ts";
import { exportedI32Constant } from "../../host-tools/src/build/module-constants.ts";
import { openTransport } from "../../host-tools/src/link/transport.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { startQemuBoard } from "../../host-tools/src/qemu/qemu-board.ts";
import { longTests } from "../support/long-tests.ts";
import { qemuBoardElf, qemuMissing } from "./qemu-fixture.ts";

longTests();

const skip = qemuMissing !== null;
let board: Board;

beforeAll(async () => {
  if (skip) return;
  ({ board } = await qemuBoardElf());
});

/** An odd size on purpose: the backing is the exact byte count, not a page or a power of two. */
const HEAP_BASE = 4100;

const PROBE_WAT = `(module
  (import "hal" "uart_write" (func $uart_write (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (global (export "__data_end") i32 (i32.const ${HEAP_BASE}))
  (global (export "__heap_base") i32 (i32.const ${HEAP_BASE}))
  (data (i32.const ${HEAP_BASE - 2}) "\\ab\\cd")
  (func (export "tk_abi_version") (result i32) (i32.const 1))
  (func (export "tk_init") (param i32) (result i32) (i32.const 0))
  (func (export "tk_io_buffer") (result i32) (i32.const 1024))
  (func (export "tk_io_capacity") (result i32) (i32.const 1024))
  (func (export "tk_link_rx") (param $n i32)
    (i32.store8 (i32.const 1000) (i32.load8_u (i32.add (i32.const ${HEAP_BASE - 2}) (i32.load8_u (i32.const 1024)))))
    (drop (call $uart_write (i32.const 1000) (i32.const 1))))
  (func (export "tk_tick") (param i64))
  (func (export "tk_nfc_field") (param i32))
  (func (export "tk_nfc_apdu") (param i32) (result i32) (i32.const 0))
  (func (export "tk_nfc_t2t") (param i32) (result i32) (i32.const 0)))
`;

test("the shell backs exactly __heap_base bytes: the last backed byte reads, the next one traps", { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-probe-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "probe.wat"), PROBE_WAT);
  execFileSync("wat2wasm", [join(dir, "probe.wat"), "-o", join(dir, "probe.wasm")]);
  assert.equal(exportedI32Constant(readFileSync(join(dir, "probe.wasm")), "__heap_base"), HEAP_BASE);

  const { linearBytes: _, ...shell } = qemuShell(board)!;
  const built = await buildNativeShell({ ...board, shell }, shell, join(dir, "probe.wasm"), dir, { quiet: true });
  assert.deepEqual([built.sections.linear, built.settings.linearFrom], [HEAP_BASE, "__heap_base"]);

  const console: string[] = [];
  const running = await startQemuBoard({ board: { ...board, shell }, elfPath: built.elfPath, onConsole: (l) => console.push(l) });
  t.onTestFinished(() => running.stop());
  const link = await openTransport(running.ports.pty, { baud: board.link.baud });
  t.onTestFinished(() => link.close());
  const answers: number[] = [];
  link.onData((b) => answers.push(...b));
  const probe = async (k: number) => {
    const had = answers.length;
    await link.write(Uint8Array.of(k));
    for (let i = 0; i < 200 && answers.length === had && !console.some((l) => /wasm trap/.test(l)); i++) await new Promise((r) => setTimeout(r, 25));
    return answers.length > had ? answers[had] : null;
  };
  assert.equal(await probe(0), 0xab, `byte ${HEAP_BASE - 2} holds its data-segment value`);
  assert.equal(await probe(1), 0xcd, `byte ${HEAP_BASE - 1}, the last one backed, reads`);
  assert.equal(console.filter((l) => /wasm trap/.test(l)).length, 0, console.join("\n"));
  assert.equal(await probe(2), null, `byte ${HEAP_BASE} is not answered`);
  assert.ok(
    console.some((l) => /wasm trap: out of bounds memory access \(rebooting\)/.test(l)),
    console.join("\n"),
  );
});

test("the firmware's ELF backs exactly its module's __heap_base (RAM freed against the whole 64 KiB page)", { skip }, async () => {
  const { elfPath } = await qemuBoardElf();
  const heapBase = exportedI32Constant(readFileSync(firmwarePath(board.name)), "__heap_base");
  assert.ok(heapBase !== null && heapBase > 1024 && heapBase < 65536, `__heap_base ${heapBase}`);
  const sizes = execFileSync("arm-none-eabi-size", ["-A", elfPath], { encoding: "utf8" });
  const linear = Number(/^\.linear\s+(\d+)/m.exec(sizes)?.[1]);
  assert.equal(linear, heapBase, `.linear is ${linear} B, __heap_base ${heapBase} B; ${65536 - heapBase} B of the page not backed`);
});
