// A reboot the host asked for (`reset`): the op sets it, tk_tick reboots once the answer has
// left the TX queue, so the host sees the answer before the device goes.

let requested = false;

export function requestReset(): void {
  requested = true;
}

export function resetPending(): bool {
  return requested;
}
