// How `tapkit flash` shows progress: bytes held of total, the rate of this run and the time
// left, with a bar of `barWidth` cells on a terminal (0: no bar, for log lines).
import type { FlashProgress } from "./flash-image.ts";

export function progressLine(p: FlashProgress, barWidth: number): string {
  const share = p.total ? p.held / p.total : 1;
  const sent = p.held - p.resumedFrom;
  const rate = p.elapsedMs > 0 ? (sent * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? (p.total - p.held) / rate : NaN;
  const bar = barWidth > 0 ? `[${"#".repeat(Math.round(share * barWidth)).padEnd(barWidth, ".")}] ` : "";
  const kib = (n: number) => (n / 1024).toFixed(1);
  const etaText = Number.isFinite(eta) ? `${Math.ceil(eta)} s left` : "";
  return `${bar}${(share * 100).toFixed(0).padStart(3)} % ${kib(p.held)}/${kib(p.total)} KiB ${(rate / 1024).toFixed(1)} KiB/s ${etaText}`.trimEnd();
}
