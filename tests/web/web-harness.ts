// Test support for tests/web: `tapkit web` started as the bundled CLI (its ready line read as
// JSON), Debian's Chromium through playwright-core with a throw-away profile, and screenshots
// saved to the artifact directory ($TAPKIT_ARTIFACTS/web or a temp dir, printed by the tests).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CLI, ensureCli } from "../cli/cli-helpers.ts";
import { ROOT } from "../../host-tools/src/paths.ts";

type Cleanup = { onTestFinished(fn: () => void | Promise<void>): void };

export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED tests/web: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

export const ARTIFACTS = process.env.TAPKIT_ARTIFACTS ? join(process.env.TAPKIT_ARTIFACTS, "web") : join(tmpdir(), `tapkit-web-artifacts-${process.pid}`);

export async function startWeb(port: string, t: Cleanup, extra: string[] = []): Promise<{ url: string; origin: string; ready: any }> {
  ensureCli();
  const child = spawn(process.execPath, [CLI, "web", "--port", port, "--json", ...extra], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  t.onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const ready = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tapkit web did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).on("line", (l) => {
      const ev = JSON.parse(l);
      if (ev.event === "ready") {
        clearTimeout(timer);
        resolve(ev);
      }
    });
    child.on("exit", (code) => reject(new Error(`tapkit web exited with ${code}: ${stderr}`)));
  });
  assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/, "bound to 127.0.0.1 with a per-run token");
  return { url: ready.url, origin: new URL(ready.url).origin, ready };
}

export async function browser(t: Cleanup): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), "tapkit-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  t.onTestFinished(async () => {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return ctx;
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
