// tapkit web: serve the technician's page on 127.0.0.1 and bridge it to a device port.
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
    const listen = opts.listen === undefined ? 0 : Number(opts.listen);
    if (!Number.isInteger(listen) || listen < 0 || listen > 65535)
      throw usageError(`--listen must be a port number (got '${opts.listen}')`, "e.g. --listen 8080");
    const baud = opts.baud === undefined ? undefined : Number(opts.baud);
    if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0))
      throw usageError(`--baud must be a positive integer (got '${opts.baud}')`, "e.g. --baud 115200");
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
