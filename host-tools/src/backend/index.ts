// The tap backend: verifies SUN and signed tap URLs over HTTP with replay state in the
// records database (SQLite by default, PostgreSQL for several processes).
export {
  startTapService,
  TapVerifier,
  MAX_BODY_BYTES,
  MAX_URL_CHARS,
  type RunningTapService,
  type TapServiceOptions,
  type Verdict,
  type Reason,
} from "./tap-service.ts";
export { TapState, type TapRefusal } from "./tap-state.ts";
export { loadBackendKeys, tagFileKey, diversificationInput, KEYS_ENV, type BackendTagKeys } from "./tap-keys.ts";
export { LocalBuckets, SharedRateLimiter } from "./rate-limit.ts";
export { ingestVouchers, type IngestReport } from "./settlement-ingest.ts";
