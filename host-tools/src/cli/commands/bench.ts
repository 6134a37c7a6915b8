// tapkit bench (npm run bench): firmware size, imports, memory high-water, instructions per
// operation and link throughput, written to bench/results.json and printed as tables.
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { table } from "../output.ts";
import type { BenchResults } from "../../bench/run.ts";
import { loadBoard, qemuShell } from "../../boards/index.ts";

/**
 * Linear memory the board's shell backs: a C shell only what the module uses, the Node
 * simulator the declared pages (and, when the bench built the module into the C shell too,
 * what that build backs).
 */
function linearBacking(f: BenchResults["firmware"][number]): string {
  const cShell = f.cortexM ? `${f.cortexM.sections.linear} B` : null;
  if (qemuShell(loadBoard(f.board))) return cShell ? `${cShell} (C shell)` : "not measured (no ELF)";
  return `${f.session.memoryBytes} B (Node simulator)${cShell ? `; ${cShell} in its C shell build` : ""}`;
}

export const bench: Command = {
  name: "bench",
  summary: "measure firmware size, memory, Wasm instructions per operation and link throughput",
  usage: "tapkit bench [--out FILE] [--no-throughput] [--no-tap-backend] [--json]",
  examples: ["npm run bench", "tapkit bench --out bench/results.json --json"],
  options: {
    out: { type: "string", help: "results file (default bench/results.json)" },
    "no-throughput": { type: "boolean", help: "skip the timed link measurement" },
    "no-tap-backend": { type: "boolean", help: "skip the tap backend load (50,000 requests on PostgreSQL; minutes)" },
    "station-worker": { type: "string", help: "internal: run one station process of the provisioning batch measurement (JSON spec)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (opts["station-worker"]) {
      const { runStationWorker } = await import("../../bench/provision-rate.ts");
      out.result(await runStationWorker(JSON.parse(opts["station-worker"])));
      return;
    }
    const file = opts.out ?? "bench/results.json";
    // Loaded on demand: the bench pulls in binaryen, whose ~1.2 s of start-up every other
    // command would otherwise pay.
    const { runBench } = await import("../../bench/run.ts");
    const r = await runBench({ out: file, throughput: !opts["no-throughput"], tapBackend: !opts["no-tap-backend"], cli: process.argv[1], log: out.status });
    out.result(r, (res: BenchResults) => {
      out.line("firmware");
      out.line(
        table([
          ["board", "bytes", "imports", "boot instr", "linear memory used", "declared", "backed"],
          ...res.firmware.map((f) => [
            f.board,
            String(f.bytes),
            String(f.imports.length),
            String(f.session.bootInstructions),
            `${f.session.memoryHighWater} B`,
            `${f.session.memoryBytes / 65536} x 64 KiB page`,
            linearBacking(f),
          ]),
        ]),
      );
      out.line("  (used: static data + what the session wrote above it; declared: the module's memory section, not RAM; backed: what the shell maps)");
      for (const f of res.firmware) {
        out.line(`\n${f.board}: Wasm instructions per operation (HAL calls)`);
        out.line(
          table(
            f.session.ops.map((o) => [
              `  ${o.op}`,
              String(o.instructions),
              Object.entries(o.halCalls)
                .map(([k, v]) => `${k}×${v}`)
                .join(" "),
            ]),
          ),
        );
        out.line(`  imports: ${f.imports.join(", ")}`);
        const st = f.store;
        out.line(
          `  store: counter increment ${st.counterIncrement}, record write (32 B) ${st.recordWrite32}, compaction ${st.compaction} instructions (link share ~${st.linkBaseline}); ${st.flashOpsPerIncrement.toFixed(4)} flash ops per increment`,
        );
        out.line(
          `  store endurance: ${st.endurance.incrementsToWearOut.toExponential(2)} increments on ${st.endurance.pages} x ${st.endurance.pageSize} B at ${st.endurance.eraseCycles} cycles (${st.endurance.measuredIncrements} increments cost ${st.endurance.measuredErases} erases)`,
        );
        if (f.nfc) {
          for (const t of f.nfc.taps)
            out.line(
              `  nfc: ${t.mode} tap, the 6 APDUs alone (3 SELECT + 3 READ, no field-off) ${t.instructions} instructions, keystore ${JSON.stringify(t.keystoreCalls)}${t.mode === "sun" ? ` (target ${f.nfc.sunTapTarget})` : ""}; SELECT ${f.nfc.select}, READ CC ${f.nfc.read}`,
            );
        }
        for (const w of f.wallet ?? []) {
          out.line(
            `  wallet: payment with key slot ${w.slot} ${w.instructions} instructions outside the keystore (BEGIN ${w.begin} + SIGN ${w.sign}; target ${w.budget}), keystore calls ${w.keystoreCalls} (${Object.entries(
              w.halCalls,
            )
              .map(([k, v]) => `${k}×${v}`)
              .join(" ")}), voucher ${w.voucherBytes} B; issuer SYNC ${w.sync} (token ${w.syncTokenBytes} B)`,
          );
        }
        if (f.payword)
          out.line(
            `  wallet: PayWord release of word 1 of ${f.payword.length} ${f.payword.releaseFirst} instructions (${f.payword.releaseFirstHalCalls.sha256 ?? 0} SHA-256 calls behind the HAL)`,
          );
        if (f.acceptor) {
          const a = f.acceptor;
          out.line(
            `  acceptor: voucher verify and store ${a.submit} instructions (${a.submitHalCalls.ks_verify ?? 0} ks_verify), PayWord word check ${a.paywordCheck}, voucher list ${a.listOp}`,
          );
        }
        if (f.cortexM) {
          const c = f.cortexM;
          const s = c.sections;
          out.line(
            `  Cortex-M (${c.board} ELF): flash ${c.flash} B (text ${s.text} + rodata ${s.rodata} + data ${s.data}); RAM ${c.ramUsed} B = data ${s.data} + bss ${s.bss} + linear memory backed ${s.linear} + stack high-water ${c.stackHighWater} (of ${s.stack} reserved) + noinit ${s.noinit}`,
          );
          out.line(`  Cortex-M instructions per operation (exact, QEMU -icount shift=${c.shift}; chip answers and UART left out) beside Wasm instructions`);
          out.line(
            table([["  operation", "Wasm", "Cortex-M", "ARM/Wasm"], ...c.ops.map((o) => [`  ${o.op}`, String(o.wasm), String(o.arm), o.ratio.toFixed(2)])]),
          );
          for (const n of c.notMeasured) out.line(`  not measured: ${n}`);
        }
        if (f.qr) {
          const q = f.qr;
          out.line(
            `  qr: amount request -> frame ${q.amountToFrame}, v10-M auto-mask encode+render ${q.v10mEncodeRender} (target ${q.v10mTarget}) instructions (link share ~${q.linkBaseline})`,
          );
          out.line(
            `  qr: Wasm encoder ${q.speed.wasmUs.toFixed(0)} us vs qrcode ${q.speed.qrcodeUs.toFixed(0)} us, qrcode-generator ${q.speed.qrcodeGeneratorUs.toFixed(0)} us, qr ${q.speed.qrUs.toFixed(0)} us, Nayuki ${q.speed.nayukiUs.toFixed(0)} us per v10-M symbol (fastest of ${q.speed.rounds} interleaved passes; link ${q.speed.linkUs.toFixed(0)} us of ours; fastest peer ${q.speed.fastestPeer} / ours = ${q.speed.ratio.toFixed(2)}, median per pass ${q.speed.medianRoundRatio.toFixed(2)}); QR+EMV+render code and tables ${q.moduleBytes.total} B (of it link-op glue ${q.moduleBytes.linkOps} B)`,
          );
        }
      }
      if (res.throughput.length) {
        out.line("\nlink throughput (payload bytes/s against baud/10)");
        out.line(
          table([
            ["baud", "via", "payload B/s", "% of baud/10", "wire %", "target", ""],
            ...res.throughput.map((t) => [
              String(t.baud),
              t.transport,
              t.payloadBytesPerSecond.toFixed(0),
              t.percentOfBaud.toFixed(1),
              t.wirePercentOfBaud.toFixed(1),
              `>= ${t.target}%`,
              t.met ? "met" : "MISSED",
            ]),
          ]),
        );
      }
      if (res.update.length) {
        out.line("\nimage upload, tapkit flash (image bytes/s against baud/10)");
        out.line(
          table([
            ["baud", "via", "image B", "seconds", "B/s", "% of baud/10", "target", ""],
            ...res.update.map((u) => [
              String(u.baud),
              u.transport,
              String(u.imageBytes),
              u.seconds.toFixed(2),
              u.payloadBytesPerSecond.toFixed(0),
              u.percentOfBaud.toFixed(1),
              `>= ${u.target}%`,
              u.met ? "met" : "MISSED",
            ]),
          ]),
        );
      }
      const tb = res.tapBackend;
      if (tb) {
        out.line("\ntap backend (verified taps; load with racing replays and older counters)");
        const load = (name: string, r: NonNullable<typeof tb.postgres4>) => [
          name,
          String(r.requests),
          String(r.requestsPerSecond),
          `${r.p50ms} ms`,
          `${r.p99ms} ms`,
          `${r.replaysAccepted} / ${r.staleAccepted} / ${r.genuineRefused}`,
        ];
        out.line(
          table([
            ["", "requests", "per s", "p50", "p99", "replays / stale accepted / genuine refused"],
            [
              "file store, 1 process (in-process)",
              String(tb.fileStore.taps),
              String(tb.fileStore.tapsPerSecond),
              `${tb.fileStore.p50ms} ms`,
              `${tb.fileStore.p99ms} ms`,
              "-",
            ],
            load("serve verify, 1 process, SQLite", tb.sqlite1),
            ...(tb.postgres4 ? [load("serve verify, 4 processes, PostgreSQL", tb.postgres4)] : []),
            ...(tb.postgres4Limited ? [load("  the same with shared rate limits", tb.postgres4Limited)] : []),
          ]),
        );
        out.line(`  database's share (replay statement alone): ${tb.dbShare.map((d) => `${d.engine} p50 ${d.p50ms} ms, p99 ${d.p99ms} ms`).join("; ")}`);
      }
      if (res.provisioning.rates.length) {
        out.line("\nprovisioning (blank sim-plaque to locked, verification included)");
        out.line(
          table([
            ["baud", "devices", "s/device", "devices/h/station", "target", ""],
            ...res.provisioning.rates.map((p) => [
              String(p.baud),
              String(p.devices),
              p.secondsPerDevice.toFixed(2),
              p.devicesPerHour.toFixed(0),
              `>= ${p.target}/h at 921600`,
              p.baud === 921600 ? (p.met ? "met" : "MISSED") : "",
            ]),
          ]),
        );
        for (const b of res.provisioning.batches)
          out.line(
            `batch on ${b.database}: ${b.devices} devices over ${b.stations} station processes in ${b.seconds.toFixed(0)} s: ${b.devicesPerHour.toFixed(0)}/h in all; per station ${b.perStation.map((p) => `${p.devicesPerHour.toFixed(0)}/h`).join(", ")}; serials issued twice ${b.duplicateSerials}, UIDs twice ${b.duplicateUids}; audit ${b.auditRecords} records, ${b.auditOk ? "chain verifies" : "CHAIN BROKEN"}`,
          );
      }
      for (const n of res.notes) out.line(`note: ${n}`);
      out.line(`\nwrote ${file}`);
    });
  },
};
