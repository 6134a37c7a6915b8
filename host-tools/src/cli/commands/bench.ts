// tapkit bench (npm run bench): firmware size, imports, memory high-water, instructions per
// operation and link throughput, written to bench/results.json and printed as tables.
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { table } from "../output.ts";
import type { BenchResults } from "../../bench/run.ts";

export const bench: Command = {
  name: "bench",
  summary: "measure firmware size, memory, Wasm instructions per operation and link throughput",
  usage: "tapkit bench [--out FILE] [--no-throughput] [--json]",
  examples: ["npm run bench", "tapkit bench --out bench/results.json --json"],
  options: {
    out: { type: "string", help: "results file (default bench/results.json)" },
    "no-throughput": { type: "boolean", help: "skip the timed link measurement" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const file = opts.out ?? "bench/results.json";
    // Loaded on demand: the bench pulls in binaryen, whose ~1.2 s of start-up every other
    // command would otherwise pay.
    const { runBench } = await import("../../bench/run.ts");
    const r = await runBench({ out: file, throughput: !opts["no-throughput"], log: out.status });
    out.result(r, (res: BenchResults) => {
      out.line("firmware");
      out.line(
        table([
          ["board", "bytes", "imports", "boot instr", "mem high-water", "memory"],
          ...res.firmware.map((f) => [
            f.board,
            String(f.bytes),
            String(f.imports.length),
            String(f.session.bootInstructions),
            `${f.session.memoryHighWater} B`,
            `${f.session.memoryBytes / 1024} KiB`,
          ]),
        ]),
      );
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
              `  nfc: ${t.mode} tap (3 SELECT + 3 READ) ${t.instructions} instructions, keystore ${JSON.stringify(t.keystoreCalls)}${t.mode === "sun" ? ` (target ${f.nfc.sunTapTarget})` : ""}; SELECT ${f.nfc.select}, READ CC ${f.nfc.read}`,
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
        if (f.qr) {
          const q = f.qr;
          out.line(
            `  qr: amount request -> frame ${q.amountToFrame}, v10-M auto-mask encode+render ${q.v10mEncodeRender} (target ${q.v10mTarget}) instructions (link share ~${q.linkBaseline})`,
          );
          out.line(
            `  qr: Wasm encoder ${q.speed.wasmUs.toFixed(0)} us vs qrcode ${q.speed.qrcodeUs.toFixed(0)} us, qrcode-generator ${q.speed.qrcodeGeneratorUs.toFixed(0)} us, qr ${q.speed.qrUs.toFixed(0)} us, Nayuki ${q.speed.nayukiUs.toFixed(0)} us per v10-M symbol (fastest peer ${q.speed.fastestPeer} / ours = ${q.speed.ratio.toFixed(2)}); QR+EMV+render ${q.moduleBytes.total} B (target ${q.moduleBytes.target}; of it link-op glue ${q.moduleBytes.linkOps} B)`,
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
      for (const n of res.notes) out.line(`note: ${n}`);
      out.line(`\nwrote ${file}`);
    });
  },
};
