// What provisioning needs from the production records (issue 10 item 5, host-tools/src/records
// on h/records): open a database by URL, allocate a serial and UID for a device (the same ones
// again for the same device key: a resumed run never makes a second identity), append audit
// events, look a device up for resume, and mark it done. Provisioning talks only to this
// interface; `openRecords` picks the implementation.
export interface DeviceRecord {
  batch: string;
  serial: number;
  uid: string;
  /** device public key (hex): the device's identity before it has a serial */
  pub: string;
  status: "allocated" | "provisioned" | "locked";
  /** how many runs touched it (2+ means resumed) */
  runs: number;
}

export interface AuditEvent {
  batch: string;
  serial: number | null;
  station: string;
  step: string;
  result: "ok" | "refused" | "failed" | "resumed" | "restarted";
  /** facts only: key ids and key check values, never key bytes */
  details?: Record<string, unknown>;
}

export interface ProvisionRecords {
  readonly url: string;
  /** The device's record by its public key, or null. */
  findDevice(batch: string, pub: string): Promise<DeviceRecord | null>;
  /**
   * The device's serial and UID: its existing allocation, or the next free serial of the range
   * (UID from `uidFor`). Throws SERIALS_EXHAUSTED when none is left.
   */
  allocate(batch: string, pub: string, range: { first: number; last: number }, uidFor: (serial: number) => string): Promise<DeviceRecord>;
  setStatus(batch: string, serial: number, status: DeviceRecord["status"], facts: Record<string, unknown>): Promise<void>;
  audit(event: AuditEvent): Promise<void>;
  close(): Promise<void>;
}
