// The bridge's tap verifier for the page (`tapkit web --keys FILE`): the page reads the tag in
// the browser as a phone does and posts the NDEF bytes it got; this process judges them with
// the field library (field/tap-check.ts judgeTap, the verifier `tapkit tap` and `tapkit serve
// verify` use) and answers the verdict, UID, counter and reason only. The keys stay here: no
// answer carries a key or anything derived from one beyond the verifier's own verdict.
import { parseHex } from "../bytes/hex.ts";
import { TapkitError } from "../errors/index.ts";
import { judgeTap, type TapVerdictKind } from "../field/index.ts";
import type { ReplayGuard, TagKeys } from "../verify/index.ts";

/** What the page may show about one tap. */
export interface PageTapVerdict {
  verdict: TapVerdictKind;
  url: string | null;
  uid: string | null;
  counter: number | null;
  reason: string;
  /** the verifier's refusal: code, words and what to do */
  error: { code: string; message: string; hint: string } | null;
}

const MESSAGE_MAX_HEX = 2 * 1024;

/** Judges one posted read `{message: hex, apdus, path}`; a malformed request is a USAGE error. */
export function judgePostedTap(body: unknown, keys: TagKeys[], replay: ReplayGuard): PageTapVerdict {
  const b = body as { message?: unknown; apdus?: unknown; path?: unknown } | null;
  const hex = b?.message;
  if (typeof hex !== "string" || hex.length > MESSAGE_MAX_HEX || !/^(?:[0-9a-fA-F]{2})+$/.test(hex))
    throw new TapkitError("USAGE", "the page sent no NDEF message to check (hex, at most 1 KiB)", "reload the page and run the tap check again");
  const message = parseHex(hex);
  const apdus = Number.isInteger(b?.apdus) ? (b?.apdus as number) : 0;
  const path = typeof b?.path === "string" ? b.path.slice(0, 100) : "the page";
  try {
    const r = judgeTap({ path, apdus, message }, { keys, replay });
    return { verdict: r.verdict, url: r.url, uid: r.uid, counter: r.counter, reason: r.reason, error: r.error };
  } catch (e) {
    if (e instanceof TapkitError && e.code.startsWith("NDEF")) {
      return {
        verdict: "refused",
        url: null,
        uid: null,
        counter: null,
        reason: `refused (${e.code}): ${e.message}`,
        error: { code: e.code, message: e.message, hint: e.hint },
      };
    }
    throw e;
  }
}
