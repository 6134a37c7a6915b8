// Whether the clearly marked demo set-up is active. Set at boot from tk_init's DEMO flag;
// once the store exists, only when it holds no real set-up.

let demo = false;

export function setDemo(on: bool): void {
  demo = on;
}

export function demoActive(): bool {
  return demo;
}
