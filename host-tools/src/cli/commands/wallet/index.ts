// The wallet commands, grouped by who uses them: the payee and its plaque (acceptor), the
// card owner, the settlement desk and the issuer. Listed in the order --help shows them.
import type { Command } from "../../command.ts";
import { ACCEPTOR_COMMANDS } from "./acceptor.ts";
import { ISSUER_COMMANDS } from "./issuer.ts";
import { OWNER_COMMANDS } from "./owner.ts";
import { SETTLEMENT_COMMANDS } from "./settlement.ts";

export const WALLET_COMMANDS: Command[] = [...ACCEPTOR_COMMANDS, ...OWNER_COMMANDS, ...SETTLEMENT_COMMANDS, ...ISSUER_COMMANDS];
