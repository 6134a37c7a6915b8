// tapkit web: serve the technician's page on 127.0.0.1 and bridge it to a device port.
import { integerOption, optionalInteger } from "../option-values.ts";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { startWebServer } from "../../web/server.ts";

export const web: Command = {
  name: "web",
  summary: "the technician's page in a browser: set up, check and watch a device (127.0.0.1 only)",
  usage: "tapkit web [--port PORT] [--listen N] [--baud N] [--json]",
  examples: [
    "tapkit web --port /dev/ttyUSB0          # then open the printed address",
    "tapkit web -p tcp:127.0.0.1:7300 --listen 8080",
    "tapkit web                              # no bridge: the page connects over Web Serial (Chromium)",
  ],
  options: {
    ...PORT_OPTION,
    listen: { type: "string", help: "TCP port for the page on 127.0.0.1 (default: any free port)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const listen = integerOption(opts.listen, "listen", { min: 0, max: 65535, what: "a port number", hint: "e.g. --listen 8080" }, 0);
    const baud = optionalInteger(opts.baud, "baud", { min: 1, max: 10_000_000, what: "a baud rate", hint: "e.g. --baud 115200" });
    const devicePort: string | undefined = opts.port ?? process.env.TAPKIT_PORT;
    const server = await startWebServer({ devicePort, baud, listenPort: listen, onEvent: (t) => out.status(t) });
    if (out.json) process.stdout.write(JSON.stringify({ event: "ready", url: server.url, port: server.port, device: devicePort ?? null }) + "\n");
    else {
      out.line(`tapkit web: open ${server.url}`);
      out.line(
        devicePort
          ? `the page reaches ${devicePort} through this process; Ctrl-C stops it`
          : "no --port: the page connects to a USB plaque over Web Serial; Ctrl-C stops it",
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.close();
  },
};
