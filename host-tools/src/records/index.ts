// Provisioning records and the audit trail, on the database seam (db/): batches, devices,
// serial/UID allocation, key ids + KCVs, a signed hash-chained audit trail, customer export.
export {
  ProvisioningRecords,
  randomUid,
  type Batch,
  type BatchSpec,
  type DeviceRecord,
  type DeviceState,
  type KeyRecord,
  type StepUpdate,
} from "./provisioning-records.ts";
export {
  AUDIT_LOCK,
  GENESIS,
  appendAudit,
  appendAuditIn,
  canonicalJson,
  verifyAudit,
  type AuditData,
  type AuditEntry,
  type AuditProblem,
  type AuditRecord,
  type AuditReport,
} from "./audit.ts";
export { EXPORT_COLUMNS, exportRows, toCsv, type ExportRow } from "./customer-export.ts";
export { checkStationId, defaultStationKeyPath, loadOrCreateStation, stationFromSecret, type Station } from "./station-key.ts";
export { assertNoKeyMaterial } from "./key-guard.ts";
export { aesKcv } from "./kcv.ts";
