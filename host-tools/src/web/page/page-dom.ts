// The page's small DOM helpers, shared by its parts (main.ts, firmware-update.ts): element
// lookup, HTML escaping, the log pane, and errors shown in words (message and what to do).
import { asTapkitError } from "../../errors/index.ts";

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const input = (id: string) => $<HTMLInputElement>(id);
export const button = (id: string) => $<HTMLButtonElement>(id);

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

export function log(text: string): void {
  const el = $("log");
  el.textContent += `${new Date().toISOString().slice(11, 19)} ${text}\n`;
  el.scrollTop = el.scrollHeight;
}

/** Errors in words: what went wrong and what to do, never a stack. */
export function showError(err: unknown): void {
  const e = asTapkitError(err);
  const box = $("error");
  box.innerHTML = `<b>${esc(e.message)}</b><br>What to do: ${esc(e.hint)}`;
  box.style.display = "block";
  log(`error: ${e.message}`);
}

export function clearError(): void {
  $("error").style.display = "none";
}

/** A definition list's rows (the device card, an image's manifest). */
export function rowsHtml(rows: [string, string][]): string {
  return rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
}
