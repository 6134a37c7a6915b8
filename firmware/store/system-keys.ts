// Store keys the firmware keeps to itself (docs/store.md, key allocation): the store ops
// (store.put, store.del, store.tx) refuse them in every lifecycle state, so no link client can
// move the device's lifecycle except through device.lock, device.wipe and provisioning.

/** The lifecycle state record (firmware/app/device-mode.ts, docs/security.md). */
export const KEY_LIFECYCLE: u16 = 0x0001;
