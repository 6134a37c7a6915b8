// The page's side of a verified tap: it reads the tag itself (field/tap-check.ts readTap) and
// posts the NDEF bytes to `tapkit web`, which holds the keys (--keys) and answers the verdict
// (web/tap-judge.ts). Without keys, it says what the page can check and what needs them.
import type { TapRead } from "../../field/index.ts";
import { TapkitError } from "../../errors/index.ts";
import { toHexLower } from "../../bytes/hex.ts";
import type { PageTapVerdict } from "../tap-judge.ts";

export const WITHOUT_KEYS =
  "Without the tags' keys this page reads the tag as a phone does: the URL, whether it changes on every tap, and a UID and counter the URL shows in plain. " +
  "Checking the SUN MAC or signature, and refusing replayed or older counters, needs the keys: start tapkit web with --keys FILE (they stay in tapkit; this page never sees them).";

export const WITH_KEYS =
  "tapkit web holds the tags' keys: every tap is verified there (SUN MAC or signature, counter above the last one seen); the keys never reach this page.";

/** Asks `tapkit web` to verify one read. */
export async function verifyRead(token: string, read: TapRead): Promise<PageTapVerdict> {
  const res = await fetch(`/tap?token=${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: toHexLower(read.message), apdus: read.apdus, path: read.path }),
  });
  const body = (await res.json().catch(() => null)) as (PageTapVerdict & { error?: { code: string; message: string; hint: string } }) | null;
  if (!res.ok || !body) {
    const e = body?.error;
    throw new TapkitError(
      (e?.code ?? "INTERNAL") as Uppercase<string>,
      e?.message ?? `tapkit web could not verify the tap (HTTP ${res.status})`,
      e?.hint ?? "is tapkit web still running?",
    );
  }
  return body;
}

/** One line for people about a verified (or refused) tap. */
export function verdictText(v: PageTapVerdict): string {
  const facts = [v.uid ? `UID ${v.uid}` : "", v.counter !== null ? `counter ${v.counter}` : ""].filter(Boolean).join(", ");
  return `${v.reason}${facts && !v.reason.includes(facts) ? ` (${facts})` : ""}${v.error ? ` — what to do: ${v.error.hint}` : ""}`;
}
