// The list of tapkit commands, in the order --help shows them.
import type { Command } from "../command.ts";
import { build, boards } from "./build.ts";
import { sim } from "./sim.ts";
import { info } from "./info.ts";
import { monitor } from "./monitor.ts";
import { nfcApdu } from "./nfc.ts";
import { display } from "./display.ts";
import { hil, hilVerifyReport } from "./hil.ts";
import { bench } from "./bench.ts";
import { demo } from "./demo.ts";
import { torture, tortureUpdateCommand } from "./torture.ts";
import { WALLET_COMMANDS } from "./wallet/index.ts";
import { EMV_COMMANDS } from "./emv.ts";
import { PAYMENT_COMMANDS } from "./payment.ts";
import { NDEF_COMMANDS } from "./ndef.ts";
import { VERIFY_COMMANDS } from "./verify.ts";
import { IMAGE_COMMANDS } from "./image.ts";
import { FLASH_COMMANDS } from "./flash.ts";
import { PROVISION_COMMANDS } from "./provision.ts";
import { AUDIT_COMMANDS } from "./audit.ts";
import { SERVE_COMMANDS } from "./serve.ts";
import { web } from "./web.ts";
import { FIELD_COMMANDS } from "./field.ts";
import { DEVICE_COMMANDS } from "./device.ts";

export const COMMANDS: Command[] = [
  demo,
  build,
  boards,
  sim,
  info,
  ...DEVICE_COMMANDS,
  ...FIELD_COMMANDS,
  monitor,
  nfcApdu,
  display,
  hil,
  hilVerifyReport,
  bench,
  torture,
  tortureUpdateCommand,
  ...WALLET_COMMANDS,
  ...EMV_COMMANDS,
  ...PAYMENT_COMMANDS,
  ...NDEF_COMMANDS,
  ...VERIFY_COMMANDS,
  ...IMAGE_COMMANDS,
  ...FLASH_COMMANDS,
  ...PROVISION_COMMANDS,
  ...AUDIT_COMMANDS,
  ...SERVE_COMMANDS,
  web,
];
