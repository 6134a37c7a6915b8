// Opening the device named by --port (or $TAPKIT_PORT), or the tag behind --reader, for a
// command, with the error a technician needs when neither was given.
import { DeviceClient } from "../../device/client.ts";
import { nfcTestPath, type NfcPath } from "../../device/nfc-path.ts";
import { pcscPath } from "../../pcsc/index.ts";
import { usageError } from "../output.ts";

function resolvePort(opts: { port?: string }): string {
  const port = opts.port ?? process.env.TAPKIT_PORT;
  if (!port) {
    throw usageError("no device port given", "pass --port /dev/ttyUSB0 (or the pty/tcp address 'tapkit sim' prints), or set TAPKIT_PORT");
  }
  return port;
}

export function parseBaud(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const baud = Number(value);
  if (!Number.isInteger(baud) || baud < 1200 || baud > 4_000_000) {
    throw usageError(`--baud must be an integer line speed such as 115200 (got '${value}')`, "common speeds: 115200, 921600");
  }
  return baud;
}

export async function connect(opts: { port?: string; baud?: string }): Promise<DeviceClient> {
  return DeviceClient.connect(resolvePort(opts), { baud: parseBaud(opts.baud) });
}

/** Runs fn with a connected device and always closes the link afterwards. */
export async function withDevice<T>(opts: { port?: string; baud?: string }, fn: (d: DeviceClient) => Promise<T>): Promise<T> {
  const device = await connect(opts);
  try {
    return await fn(device);
  } finally {
    await device.close();
  }
}

/** Runs fn with the tag's APDU path: the PC/SC reader when --reader is given, else the link. */
export async function withNfcPath<T>(opts: { port?: string; baud?: string; reader?: string }, fn: (nfc: NfcPath) => Promise<T>): Promise<T> {
  if (opts.reader) {
    const nfc = await pcscPath(opts.reader);
    try {
      return await fn(nfc);
    } finally {
      await nfc.close();
    }
  }
  return withDevice(opts, (d) => fn(nfcTestPath(d)));
}
