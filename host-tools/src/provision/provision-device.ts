// One device through the provisioning steps (docs/provisioning.md, Steps): check, keys,
// serial/UID, certificate, wrapped symmetric keys, tag, merchant profile or wallet envelope,
// verification as a user would, lock. Every step is idempotent on the device and in the
// records (keys are kept once generated, the serial is allocated by the device's public key
// as its hardware id, the identity is written once), so a run cut at any point is finished
// by the next one; every step is an audit record (records/), and a resumed run says so. Key bytes appear only here in host memory: the device gets them
// sealed to its own key, the records get key ids and check values.
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../bytes/hex.ts";
import { setMerchantProfile } from "../qr/payment-client.ts";
import type { DeviceClient } from "../device/client.ts";
import { TapkitError } from "../errors/index.ts";
import { buildTapTemplate } from "../ndef/tap-template.ts";
import { readRootKey, loadIssuer, type IssuerFiles } from "../wallet/issuer.ts";
import { verifyChain } from "../wallet/certificate.ts";
import { diversifyAes128 } from "./an10922.ts";
import { certifyIdentity, PLAQUE_CURRENCY, PLAQUE_ENVELOPE } from "./device-identity.ts";
import { keyCheckValue, KS_ALG_AES128, sealKeyForDevice } from "./key-wrap.ts";
import { readMasterKey, type KeyRef, type LoadedManifest } from "./manifest.ts";
import { appendAudit, type ProvisioningRecords } from "../records/index.ts";
import { verifyAsUser, type UserCheck } from "./user-check.ts";
import type { FirmwareFacts } from "./firmware-step.ts";
import { checkGrant, grantId, type ReprovisionGrant } from "./reprovision-grant.ts";

export const SUN_META_SLOT = 2;
export const SUN_FILE_SLOT = 3;

export type StepName = "check" | "keys" | "serial" | "certificate" | "symmetric-keys" | "tag" | "profile" | "verify" | "lock";
export const STEPS: StepName[] = ["check", "keys", "serial", "certificate", "symmetric-keys", "tag", "profile", "verify", "lock"];

export interface ProvisionOptions {
  /**
   * Re-provisioning (docs/provisioning.md): a provisioned or locked device is refused unless
   * this names its serial and carries a grant signed by the batch's root for it; the device
   * is then wiped and provisioned as a new identity, the old one kept in the records.
   */
  reprovision?: { serial: number; grant?: ReprovisionGrant };
  /** what installBatchImage found or did: required when the manifest names an image */
  firmware?: FirmwareFacts;
  onStep?: (step: StepName, index: number, detail: string) => void;
}

export interface ProvisionResult {
  batch: string;
  serial: number;
  uid: string;
  board: string;
  publicKey: string;
  kid: string;
  /** "fresh", or "resumed" (an earlier run was cut; this one finished it) */
  run: "fresh" | "resumed";
  /** the flash step's outcome, when the manifest names an image */
  firmware?: FirmwareFacts;
  /** the identity a re-provisioning run wiped (serial, UID, public key) */
  replaced?: { serial: number; uid: string; publicKey: string; grant: string };
  keys: { id: string; slot: number; kcv: string; diversified: boolean }[];
  check: UserCheck;
  state: string;
}

/** The batch's secrets and pinned root, read once per batch (not per device). */
export interface BatchContext {
  manifest: LoadedManifest;
  issuer: IssuerFiles;
  root: Uint8Array;
  masters: { meta: Uint8Array; file: Uint8Array };
}

export function loadBatch(manifest: LoadedManifest): BatchContext {
  const issuer = loadIssuer(manifest.resolve(manifest.issuer));
  const root = readRootKey(manifest.resolve(manifest.root ?? `${manifest.issuer}/root.pub`));
  // The batch certificate must chain to the pinned root: a wrong root or batch key is refused
  // before any device is touched.
  const batchKid = toHex(issuer.batch.kid);
  try {
    const probe = certifyIdentity(
      issuer,
      issuer.batch.publicKey,
      { batch: manifest.batch, serial: 0, uid: "04000000000000" },
      {
        currency: PLAQUE_CURRENCY,
        limits: PLAQUE_ENVELOPE,
      },
    );
    verifyChain(probe, root);
  } catch (e) {
    throw new TapkitError(
      "BATCH_KEY_MISMATCH",
      `the issuer's batch key (kid ${batchKid}) does not chain to the pinned root: ${(e as Error).message}`,
      "check /issuer and /root in the manifest: the batch certificate must be signed by that root, and batch.key.json must be the key it certifies",
    );
  }
  return { manifest, issuer, root, masters: { meta: readMasterKey(manifest, manifest.keys.sunMeta), file: readMasterKey(manifest, manifest.keys.sunFile) } };
}

/** The batch in the records: created from the manifest, or the same one again (BATCH_CONFLICT if it differs). */
export async function openBatchRecords(records: ProvisioningRecords, manifest: LoadedManifest): Promise<void> {
  const { path: _path, dir: _dir, resolve: _resolve, image: _image, ...doc } = manifest;
  await records.createBatch({
    id: manifest.batch,
    board: manifest.board,
    serialFirst: manifest.serials.first,
    serialLast: manifest.serials.last,
    manifestHash: toHex(sha256(new TextEncoder().encode(JSON.stringify(doc)))),
  });
}

async function unfinishedHardware(records: ProvisioningRecords, batch: string, hardwareId: string): Promise<boolean> {
  const rows = await records.db.query("SELECT serial FROM devices WHERE batch_id = $1 AND hardware_id = $2 AND state <> 'provisioned'", [batch, hardwareId]);
  return rows.length > 0;
}

async function knownHardware(records: ProvisioningRecords, batch: string, hardwareId: string): Promise<boolean> {
  const rows = await records.db.query("SELECT serial FROM devices WHERE batch_id = $1 AND hardware_id = $2", [batch, hardwareId]);
  return rows.length > 0;
}

/** Codes of a run that broke off (link, device, a cut upload) rather than a refusal with a reason. */
const FAILURE_CODES = new Set(["LINK_CLOSED", "TIMEOUT", "DEVICE_ERROR", "INTERNAL", "BOOT_NO_UPLOAD", "BOOT_INCOMPLETE"]);

/** How an error is recorded in the audit trail: "refused" (a reason, nothing to retry blindly) or "failed". */
export function auditResultOf(e: unknown): "refused" | "failed" {
  return e instanceof TapkitError && !FAILURE_CODES.has(e.code) ? "refused" : "failed";
}

async function refuseFullBatch(records: ProvisioningRecords, batch: string): Promise<void> {
  const b = await records.batch(batch);
  if (b && b.nextSerial > b.serialLast)
    throw new TapkitError(
      "BATCH_EXHAUSTED",
      `batch ${batch}: serial range ${b.serialFirst}-${b.serialLast} is used up`,
      "start a new batch with a fresh serial range in its manifest",
      { batch, serialLast: b.serialLast },
    );
}

/** AN10922 input M: UID || application id || system identifier. */
export function diversificationInput(manifest: LoadedManifest, uid: Uint8Array): Uint8Array {
  const aid = Buffer.from(manifest.keys.aid ?? "000000", "hex");
  const system = Buffer.from(manifest.keys.system ?? "tapkit", "ascii");
  return Uint8Array.from([...uid, ...aid, ...system]);
}

export function tagKey(batch: BatchContext, ref: KeyRef, master: Uint8Array, uid: Uint8Array, diversifyDefault: boolean): Uint8Array {
  return (ref.diversify ?? diversifyDefault) ? diversifyAes128(master, diversificationInput(batch.manifest, uid)) : master;
}

export async function provisionDevice(
  client: DeviceClient,
  batch: BatchContext,
  records: ProvisioningRecords,
  opts: ProvisionOptions = {},
): Promise<ProvisionResult> {
  const m = batch.manifest;
  let serial: number | null = null;
  let replaced: ProvisionResult["replaced"];
  let stepIndex = 0;
  const audit = (step: string, result: string, data: Record<string, string | number | boolean | null>) =>
    serial === null
      ? appendAudit(records.db, records.station, { batch: m.batch, serial: null, step, result, data })
      : records.recordStep(serial, { step, result, data });
  const step = async <T>(name: StepName, detail: (r: T) => string, run: () => Promise<T>): Promise<T> => {
    const index = ++stepIndex;
    let r: T;
    try {
      r = await run();
    } catch (e) {
      const err = e as Error;
      // The database may be what failed: the refusal itself must still reach the operator.
      await audit(name, auditResultOf(e), { code: e instanceof TapkitError ? e.code : "INTERNAL", error: err.message }).catch(() => {});
      throw e;
    }
    const text = detail(r);
    await audit(name, "ok", { detail: text });
    opts.onStep?.(name, index, text);
    return r;
  };

  // 1. check: board, firmware, lifecycle state.
  const hello = client.hello;
  const id0 = await step(
    "check",
    (s) => `board ${hello.board}, firmware ${hello.fw}, state ${s.state}`,
    async () => {
      if (hello.board !== m.board)
        throw new TapkitError(
          "DEVICE_WRONG_BOARD",
          `the device answers as board '${hello.board}', the manifest is for '${m.board}'`,
          "connect a device of the manifest's board, or use the manifest of this board",
          { board: hello.board, expected: m.board },
        );
      if (m.image && opts.firmware?.sha256 !== m.image.sha256)
        throw new TapkitError(
          "FIRMWARE_MISMATCH",
          `the manifest names image ${m.image.sha256.slice(0, 16)} (${m.image.version}); ${opts.firmware ? `the device runs ${opts.firmware.sha256.slice(0, 16)}` : "its slot was not checked"}`,
          "tapkit provision flashes the manifest's image first (library callers: installBatchImage before provisionDevice)",
          { expected: m.image.sha256 },
        );
      // The signed image's version is the one that counts; the firmware's own text is its build's.
      if (!m.image && m.firmware?.version && hello.fw !== m.firmware.version)
        throw new TapkitError(
          "FIRMWARE_MISMATCH",
          `the device runs firmware ${hello.fw}, the manifest asks for ${m.firmware.version}`,
          "name the signed image in /firmware/image (tapkit provision then flashes it first), flash it with tapkit flash, or correct /firmware/version",
          { fw: hello.fw, expected: m.firmware.version },
        );
      const id = await client.ops.identity.get();
      if (id.state === "demo")
        throw new TapkitError(
          "DEVICE_NOT_BLANK",
          "the device runs the demo set-up, not blank",
          "start from a blank device (tapkit sim --blank, or a wiped device)",
          {
            state: id.state,
          },
        );
      if ((id.state === "locked" || id.state === "provisioned") && id.serial !== undefined && opts.reprovision) {
        if (opts.reprovision.serial !== id.serial)
          throw new TapkitError(
            "REPROVISION_REFUSED",
            `--reprovision names serial ${opts.reprovision.serial}, the device is serial ${id.serial}`,
            "name the serial of the device in front of you (tapkit info shows it)",
          );
        await refuseFullBatch(records, m.batch);
        replaced = await wipeForReprovision(client, batch, records, id as typeof id & { serial: number }, opts.reprovision.grant);
        return client.ops.identity.get();
      }
      // Locked by a run that was cut before its records said so: this run finishes the records.
      if (id.state === "locked" && (await unfinishedHardware(records, m.batch, toHex(id.pub)))) return id;
      if (id.state === "locked")
        throw new TapkitError(
          "DEVICE_PROVISIONED",
          `the device is already provisioned and locked (serial ${id.serial}, UID ${id.uid ? toHex(id.uid) : "?"})`,
          "a device is provisioned once; to redo it, get a grant signed by the root (tapkit provision authorise) and pass --reprovision SERIAL --grant FILE",
          { serial: id.serial, state: id.state },
        );
      if (id.state === "provisioned" && !(await knownHardware(records, m.batch, toHex(id.pub))))
        throw new TapkitError(
          "RECORD_MISMATCH",
          `the device is serial ${id.serial} of a run this database of batch ${m.batch} does not know`,
          "finish it with the database (--db) and manifest it was started with",
          { serial: id.serial },
        );
      // A full batch is refused before the device is touched (a device it already knows may finish).
      if (!(id.pub.length > 0 && (await knownHardware(records, m.batch, toHex(id.pub))))) await refuseFullBatch(records, m.batch);
      return id;
    },
  );

  // 2. keys: generated inside the keystore (kept if a cut run already made them).
  const keys = await step(
    "keys",
    (k) => `device key ${toHex(k.pub).slice(0, 16)}.. (${k.fresh ? "generated" : "kept from an earlier run"})`,
    async () => {
      if (id0.state !== "blank") return { pub: id0.pub, kx: id0.kx, fresh: false };
      return client.ops.identity.keygen();
    },
  );
  const pubHex = toHex(keys.pub);

  // 3. serial and UID: allocated with the device key as hardware id, so a resumed run gets the same ones.
  const rec = await step(
    "serial",
    (r) => `serial ${r.serial}, UID ${r.uid}`,
    async () => {
      const r = await records.allocateDevice(m.batch, { hardwareId: pubHex });
      if (id0.serial !== undefined && (id0.serial !== r.serial || toHex(id0.uid!) !== r.uid))
        throw new TapkitError(
          "RECORD_MISMATCH",
          `the device says serial ${id0.serial}, the records say ${r.serial} for its key`,
          "this device was provisioned against another database; use that --db",
        );
      return r;
    },
  );
  serial = rec.serial;
  const uid = Uint8Array.from(Buffer.from(rec.uid, "hex"));
  const run: ProvisionResult["run"] = !rec.resumed && keys.fresh ? "fresh" : "resumed";
  if (run === "resumed")
    await records.recordStep(serial, {
      step: "resume",
      state: "provisioning",
      result: "resumed",
      data: { stateFound: id0.state, generatedNow: keys.fresh, lastStep: rec.step },
    });

  if (replaced) await recordReplacement(records, m.batch, replaced, rec);

  // A device a cut run already locked: only the records are left to finish (and the checks a locked device still allows).
  const locked = id0.state === "locked";

  // 4. certificate: root -> batch -> device, with serial and UID in one store transaction.
  const card = m.wallet !== undefined;
  const envelope = card ? { currency: m.wallet!.currency, limits: m.wallet!.limits } : { currency: PLAQUE_CURRENCY, limits: PLAQUE_ENVELOPE };
  const chain = await step(
    "certificate",
    () => `device certificate under batch ${toHex(batch.issuer.batch.kid)}`,
    async () => {
      if (locked) return id0.chain!;
      const c = id0.chain?.length === 2 ? id0.chain : certifyIdentity(batch.issuer, keys.pub, { batch: m.batch, serial: rec.serial, uid: rec.uid }, envelope);
      // A card's wallet takes the same chain, and only while blank: it goes first.
      if (m.wallet && (await client.ops.wallet.info({})).chain.length === 0)
        await client.ops.wallet.provision({
          chain: c,
          slot: 0,
          cur: m.wallet.currency,
          max: m.wallet.limits.maxBalance,
          per: m.wallet.limits.perPayment,
          cum: m.wallet.limits.cumulative,
          count: m.wallet.limits.maxCount,
          bal: m.wallet.balance,
          pin: m.wallet.pin,
        });
      await client.ops.identity.set({ serial: rec.serial, uid, chain: c });
      await records.recordStep(rec.serial, {
        step: "identity",
        state: "provisioning",
        publicKey: keys.pub,
        certificate: c[1],
        ...(opts.firmware ? { firmwareHash: opts.firmware.sha256 } : {}),
      });
      return c;
    },
  );

  // 5. symmetric keys: per-tag SUN keys, sealed to the device's key-agreement key.
  const delivered = await step(
    "symmetric-keys",
    (ks) => ks.map((k) => `${k.id} kcv ${k.kcv}`).join(", "),
    async () => {
      if (locked)
        return (await records.keys(rec.serial)).map((k) => {
          const meta = k.role === "sun-meta";
          return {
            id: k.keyId,
            slot: meta ? SUN_META_SLOT : SUN_FILE_SLOT,
            kcv: k.kcv,
            diversified: (meta ? m.keys.sunMeta : m.keys.sunFile).diversify ?? !meta,
          };
        });
      const out: ProvisionResult["keys"] = [];
      for (const [ref, master, slot, diversifyDefault] of [
        [m.keys.sunMeta, batch.masters.meta, SUN_META_SLOT, false],
        [m.keys.sunFile, batch.masters.file, SUN_FILE_SLOT, true],
      ] as const) {
        const key = tagKey(batch, ref, master, uid, diversifyDefault);
        const r = await client.ops.key.unwrap({ slot, alg: KS_ALG_AES128, blob: sealKeyForDevice(keys.kx, KS_ALG_AES128, slot, key) });
        const expected = toHex(keyCheckValue(KS_ALG_AES128, key));
        if (toHex(r.kcv) !== expected)
          throw new TapkitError(
            "KEY_CHECK_FAILED",
            `key ${ref.id}: the device's check value ${toHex(r.kcv)} is not ${expected}`,
            "the key did not arrive intact; run again",
          );
        out.push({ id: ref.id, slot, kcv: expected, diversified: ref.diversify ?? diversifyDefault });
      }
      await records.recordStep(rec.serial, {
        step: "keys-delivered",
        keys: out.map((k) => ({ role: k.slot === SUN_META_SLOT ? "sun-meta" : "sun-file", keyId: k.id, kcv: k.kcv, alg: "aes128" })),
      });
      return out;
    },
  );

  // 6. tag: the dynamic URL template, key slots and the device's own UID.
  await step(
    "tag",
    () => `tag serves ${m.tag.url} as UID ${rec.uid}`,
    async () => {
      if (locked) return;
      const t = buildTapTemplate({ url: m.tag.url, metaSlot: SUN_META_SLOT, fileSlot: SUN_FILE_SLOT, signSlot: 0, counterLimit: m.tag.counterLimit });
      await client.ops.tag.set({ ...t, tag_uid: uid });
    },
  );

  // 7. profile: merchant profile (plaques) or wallet envelope (cards).
  await step(
    "profile",
    (what) => what,
    async () => {
      if (locked) return "already on the locked device";
      if (m.merchant) {
        await setMerchantProfile(client, m.merchant);
        return `merchant ${m.merchant.name}, ${m.merchant.city}`;
      }
      if (m.wallet) {
        return `wallet ${m.wallet.balance} ${m.wallet.currency}, envelope ${JSON.stringify(m.wallet.limits)}`;
      }
      return "no profile in the manifest";
    },
  );

  // 8. verify as a user would: a phone's tap, the panel, the chain against the root.
  const check = await step(
    "verify",
    (c) => c.summary,
    () => verifyAsUser(client, batch, { uid, pub: keys.pub }, { locked }),
  );

  // 9. lock.
  const final = await step(
    "lock",
    (s) => `state ${s}`,
    async () => {
      if (!locked) await client.ops.device.lock();
      const id = await client.ops.identity.get();
      if (id.state !== "locked") throw new TapkitError("LOCK_FAILED", `the device reports state ${id.state} after the lock`, "run again");
      return id.state;
    },
  );
  await records.recordStep(rec.serial, { step: "done", state: "provisioned", result: "locked", data: { kid: check.kid, run } });
  return {
    batch: m.batch,
    serial: rec.serial,
    uid: rec.uid,
    board: hello.board,
    publicKey: pubHex,
    kid: check.kid,
    run,
    ...(opts.firmware ? { firmware: opts.firmware } : {}),
    ...(replaced ? { replaced } : {}),
    keys: delivered,
    check,
    state: final,
  };
}

/** The confirmation device.wipe needs on a locked device (docs/security.md). */
const WIPE_PHRASE = "wipe locked device";
const WIPE_REBOOT_MS = 5000;

/**
 * Re-provisioning's first half: the grant is checked (signed by the batch's root, for this
 * device's serial and UID into this batch, not expired), the old identity
 * goes into the audit trail, then device.wipe (the device reboots blank). Nothing in the
 * records is deleted; the device's old record keeps its serial and gains the link to the new.
 */
async function wipeForReprovision(
  client: DeviceClient,
  batch: BatchContext,
  records: ProvisioningRecords,
  id: { serial: number; uid?: Uint8Array; pub: Uint8Array; state: string },
  grant: ReprovisionGrant | undefined,
): Promise<NonNullable<ProvisionResult["replaced"]>> {
  const m = batch.manifest;
  const old = { serial: id.serial, uid: id.uid ? toHex(id.uid) : "", publicKey: toHex(id.pub) };
  if (!grant)
    throw new TapkitError(
      "REPROVISION_UNAUTHORISED",
      `re-provisioning serial ${id.serial} needs a grant signed by the batch's root`,
      "ask the root key holder: tapkit provision authorise --issuer DIR --batch ID --serial N --uid UID --out grant.json, then --grant grant.json",
    );
  checkGrant(grant, batch.root, { batch: m.batch, serial: old.serial, uid: old.uid });
  // Used once by nature: the grant names the identity the wipe removes.
  const gid = grantId(grant);
  // Written before the wipe: a cut after it still leaves the old identity's fate on record.
  await appendAudit(records.db, records.station, {
    batch: m.batch,
    serial: old.serial,
    step: "reprovision",
    result: "wiping",
    data: { grant: gid, reason: grant.reason, oldSerial: old.serial, oldUid: old.uid, oldPub: old.publicKey, stateFound: id.state },
  });
  await client.ops.device.wipe({ confirm: WIPE_PHRASE });
  // The device answers, then reboots on its next tick: wait until it reports blank.
  const until = Date.now() + WIPE_REBOOT_MS;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const state = await client.ops.identity
      .get()
      .then((x) => x.state)
      .catch(() => "rebooting");
    if (state === "blank") break;
    if (Date.now() > until)
      throw new TapkitError(
        "WIPE_FAILED",
        `serial ${old.serial} reports '${state}' ${WIPE_REBOOT_MS} ms after device.wipe, not blank`,
        "power the device off and on, then run tapkit provision again (a wiped device is provisioned as a blank one)",
      );
  }
  return { ...old, grant: gid };
}

/** Re-provisioning's record: the new device says whom it replaced; the old record stays, marked. */
async function recordReplacement(
  records: ProvisioningRecords,
  batch: string,
  old: NonNullable<ProvisionResult["replaced"]>,
  now: { serial: number; uid: string },
) {
  await records.recordStep(now.serial, {
    step: "reprovisioned",
    result: "reprovisioned",
    data: { oldSerial: old.serial, oldUid: old.uid, oldPub: old.publicKey, grant: old.grant },
  });
  const [known] = await records.db.query<{ serial: number }>("SELECT serial FROM devices WHERE serial = $1", [old.serial]);
  if (known) await records.recordStep(old.serial, { step: "reprovisioned", result: "reprovisioned", data: { newSerial: now.serial, newUid: now.uid, batch } });
}
