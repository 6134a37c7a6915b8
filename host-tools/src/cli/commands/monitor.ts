// tapkit monitor: stream the device's log channel until Ctrl-C.
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { optionalInteger, secondsOption } from "../option-values.ts";
import { connect } from "./connect.ts";

const LEVELS = ["error", "warn", "info", "debug"];

export const monitor: Command = {
  name: "monitor",
  summary: "print the device log (Ctrl-C to stop)",
  usage: "tapkit monitor --port PORT [--level 0-3] [--json]",
  examples: ["tapkit monitor --port /dev/ttyUSB0", "tapkit monitor --port tcp:127.0.0.1:7300 --level 3 --json"],
  options: {
    ...PORT_OPTION,
    level: { type: "string", help: "most verbose level to show: 0 error, 1 warn, 2 info (default), 3 debug" },
    seconds: { type: "string", help: "stop after this many seconds (for scripts)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const level = optionalInteger(opts.level, "level", { min: 0, max: 3, what: "a log level", hint: "0 error, 1 warn, 2 info, 3 debug" });
    const seconds = secondsOption(opts.seconds, "seconds", 86_400);
    const device = await connect(opts);
    device.onLog((l) => {
      if (out.json) process.stdout.write(JSON.stringify(l) + "\n");
      else process.stdout.write(`[${(l.t / 1000).toFixed(3).padStart(9)}] ${(LEVELS[l.level] ?? String(l.level)).padEnd(5)} ${l.msg}\n`);
    });
    if (level !== undefined) await device.setLogLevel(level);
    out.status(`monitoring ${device.port} (${device.hello.board}, fw ${device.hello.fw}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      if (seconds !== undefined) setTimeout(stop, seconds * 1000);
    });
    await device.close();
  },
};
