// The control-flow exceptions that unwind a Wasm instance when the simulated device loses
// power, panics or resets. They are signals between the HAL imports and the shell (which
// catches them and reboots or reports), not failures for users: those are TapkitErrors
// with SIM_... codes (errors/).

/**
 * Thrown out of a flash import when the fault model cuts power. It unwinds through the
 * Wasm frames; the instance is dead and the device reboots on the same flash.
 */
export class PowerCut extends Error {
  constructor(
    readonly operation: number,
    readonly phase: "before" | "during" | "after",
    readonly kind: "program" | "erase",
  ) {
    super(`power cut ${phase} flash ${kind} #${operation}`);
    this.name = "PowerCut";
  }
}

/** Thrown out of hal.panic: the firmware gave up with a reason. */
export class FirmwarePanic extends Error {
  constructor(readonly reason: string) {
    super(`firmware panic: ${reason}`);
    this.name = "FirmwarePanic";
  }
}

/** Thrown out of hal.reset: the firmware asked for a reboot. */
export class FirmwareReset extends Error {
  constructor(readonly reason: number) {
    super(`firmware requested reset (reason ${reason})`);
    this.name = "FirmwareReset";
  }
}
