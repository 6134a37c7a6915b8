// tapkit display: fetch the device's panel frame buffer over the link and save it as PNG.
import { writeFileSync } from "node:fs";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { integerOption } from "../option-values.ts";
import { bitmapToPng, bitmapToText, blackPixels } from "../../raster/framebuffer.ts";
import { withDevice } from "./connect.ts";

export const display: Command = {
  name: "display",
  summary: "save what the device's panel shows as a PNG",
  usage: "tapkit display --port PORT --png FILE [--scale N] [--json]",
  examples: ["tapkit display --port /dev/ttyUSB0 --png panel.png", "tapkit display --port tcp:127.0.0.1:7300 --png panel.png --scale 4"],
  options: {
    ...PORT_OPTION,
    png: { type: "string", help: "where to write the PNG" },
    scale: { type: "string", help: "image pixels per panel pixel (default 1)" },
    text: { type: "boolean", help: "also print a terminal preview" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.png) throw usageError("--png FILE is required", "e.g. tapkit display --port P --png panel.png");
    const scale = integerOption(opts.scale, "scale", { min: 1, max: 16, what: "a pixel scale", hint: "e.g. --scale 4" }, 1);
    const fb = await withDevice(opts, (d) => d.framebuffer());
    const png = bitmapToPng(fb, scale);
    writeFileSync(opts.png, png);
    out.result({ file: opts.png, width: fb.width, height: fb.height, scale, bytes: png.length, blackPixels: blackPixels(fb) }, (r) => {
      if (opts.text) out.line(bitmapToText(fb));
      out.line(`wrote ${r.file}: ${r.width}x${r.height} panel at scale ${r.scale} (${r.blackPixels} black pixels)`);
    });
  },
};
