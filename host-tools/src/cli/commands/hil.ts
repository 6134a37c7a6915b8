// tapkit hil: run the conformance suite (hil-tests/) against a device and write JUnit XML.
import { writeFileSync } from "node:fs";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { table } from "../output.ts";
import { EXIT } from "../../errors/index.ts";
import { runConformance } from "../../../../hil-tests/runner.ts";
import { toJUnit } from "../../../../hil-tests/reporters/junit.ts";
import { withDevice } from "./connect.ts";
import { pcscPath } from "../../pcsc/index.ts";

export const hil: Command = {
  name: "hil",
  summary: "run the conformance suite against a device (real or simulated) and write JUnit XML",
  usage: "tapkit hil --port PORT [--reader NAME] [--junit FILE] [--only TEXT ...] [--json]",
  examples: [
    "tapkit hil --port /dev/ttyUSB0 --reader 'ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC] 00 00' --junit report.xml",
    "tapkit hil --port tcp:127.0.0.1:7300 --reader 'Virtual PCD 00 00' --only NFC   # simulator started with --pcsc",
    "tapkit hil --port /dev/ttyUSB0 --junit report.xml",
    "tapkit hil --port tcp:127.0.0.1:7300 --only link --json",
  ],
  options: {
    ...PORT_OPTION,
    reader: { type: "string", help: "send the tag's APDUs through this PC/SC reader (pcsc_scan lists names); default: the link's nfc-test channel" },
    junit: { type: "string", help: "write a JUnit XML report here (default tapkit-hil.xml)" },
    only: { type: "string", multiple: true, help: "run only cases whose id or area contains TEXT" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const suite = await withDevice(opts, async (device) => {
      const nfc = opts.reader ? await pcscPath(opts.reader) : undefined;
      out.status(
        `conformance run on ${device.port}: ${device.hello.board}, fw ${device.hello.fw}; tag APDUs via ${nfc?.description ?? "the nfc-test channel"}`,
      );
      try {
        return await runConformance(device, {
          filter: opts.only,
          nfc,
          onResult: (r) => out.status(`  ${r.status.toUpperCase().padEnd(4)} ${r.id} ${r.title}${r.message ? ` — ${r.message}` : ""}`),
        });
      } finally {
        await nfc?.close();
      }
    });
    const junit = opts.junit ?? "tapkit-hil.xml";
    writeFileSync(junit, toJUnit(suite));
    out.result({ ...suite, junit }, (s) => {
      out.line(
        table([
          ["passed", "failed", "skipped", "time", "report"],
          [String(s.passed), String(s.failed), String(s.skipped), `${(s.ms / 1000).toFixed(1)} s`, junit],
        ]),
      );
    });
    return suite.failed > 0 ? EXIT.testsFailed : EXIT.ok;
  },
};
