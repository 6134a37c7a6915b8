// tapkit web: serve the technician's page on 127.0.0.1 and bridge it to a device port.
import { integerOption, optionalInteger } from "../option-values.ts";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { startWebServer } from "../../web/server.ts";
import { readBinaryFile } from "../../image/index.ts";
import { summarizeImage } from "../../update/image-precheck.ts";
import { loadKeysFile, ReplayStore } from "../../verify/index.ts";
import { basename } from "node:path";

export const web: Command = {
  name: "web",
  summary: "the technician's page in a browser: set up, check and watch a device (127.0.0.1 only)",
  usage: "tapkit web [--port PORT] [--image FILE.tki ...] [--keys FILE [--replay FILE]] [--listen N] [--baud N] [--json]",
  examples: [
    "tapkit web --port /dev/ttyUSB0          # then open the printed address",
    "tapkit web -p tcp:127.0.0.1:7300 --listen 8080",
    "tapkit web                              # no bridge: the page connects over Web Serial (Chromium)",
    "tapkit web -p /dev/ttyUSB0 --image fw-1.3.0.tki   # the page offers this image for a firmware update",
    "tapkit web -p /dev/ttyUSB0 --keys keys.json       # the page's tap check verifies SUN MACs here; keys stay in the CLI",
  ],
  options: {
    ...PORT_OPTION,
    listen: { type: "string", help: "TCP port for the page on 127.0.0.1 (default: any free port)" },
    image: { type: "string", multiple: true, help: "a signed image (.tki) the page offers for a firmware update (repeat for several)" },
    keys: { type: "string", help: "the tags' keys (as tapkit tap --keys): the page's tap check is verified by this process; the keys never reach the page" },
    replay: { type: "string", help: "replay store for verified counters (default: in memory for this run)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const listen = integerOption(opts.listen, "listen", { min: 0, max: 65535, what: "a port number", hint: "e.g. --listen 8080" }, 0);
    const baud = optionalInteger(opts.baud, "baud", { min: 1, max: 10_000_000, what: "a baud rate", hint: "e.g. --baud 115200" });
    const devicePort: string | undefined = opts.port ?? process.env.TAPKIT_PORT;
    if (opts.replay && !opts.keys) throw usageError("--replay needs --keys", "a replay store only counts verified taps");
    // read and checked now: a bad file is refused before a page is served
    const images = ((opts.image as string[] | undefined) ?? []).map((file) => {
      const bytes = readBinaryFile(file, "firmware image");
      summarizeImage(bytes);
      return { name: basename(file), bytes };
    });
    const keys = opts.keys ? loadKeysFile(opts.keys) : undefined;
    const replay = opts.replay ? new ReplayStore(opts.replay) : undefined;
    const server = await startWebServer({ devicePort, baud, listenPort: listen, images, keys, replay, onEvent: (t) => out.status(t) });
    if (out.json)
      process.stdout.write(
        JSON.stringify({
          event: "ready",
          url: server.url,
          port: server.port,
          device: devicePort ?? null,
          images: images.map((i) => i.name),
          keys: Boolean(keys),
        }) + "\n",
      );
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
