// `tapkit web` with --keys and --image, end to end in Debian's Chromium against a simulated
// plaque started with a state directory (its shell is the bootloader) and its demo SUN keys:
// the page's tap check is verified by the CLI (two taps, counter rising; a replayed URL refused
// in words; the keys never in the page), images for the wrong board or signer are refused in
// words before upload, and a signed image is installed with a progress bar through a link that
// is cut mid-upload (a TCP relay between `tapkit web` and the device drops both sides after a
// byte budget): the page says where it stopped, a second try resumes there, the image is
// confirmed, and the device itself reports the new image active and confirmed.
import { test } from "vitest";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { join } from "node:path";
import { tempDir } from "../cli/cli-helpers.ts";
import { startSimulator } from "../../host-tools/src/sim/run.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { toHex, toHexLower } from "../../host-tools/src/bytes/hex.ts";
import { BootClient } from "../../host-tools/src/update/boot-client.ts";
import { image, otherKey, releaseKey } from "../update/update-fixture.ts";
import { longTests } from "../support/long-tests.ts";
import { ARTIFACTS, browser, haveChromium, shot, startWeb } from "./web-harness.ts";

longTests();

/** A TCP relay to `target` that, once armed, cuts both sides after `budget` more bytes from the client. */
async function cuttingRelay(target: number) {
  const sockets = new Set<Socket>();
  let armed: number | null = null;
  let cuts = 0;
  const server = createServer((client) => {
    const device = connect(target, "127.0.0.1");
    for (const s of [client, device]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    device.on("data", (d) => client.write(d));
    client.on("data", (d) => {
      if (armed !== null && (armed -= d.length) <= 0) {
        armed = null;
        cuts++;
        client.destroy();
        device.destroy();
        return;
      }
      device.write(d);
    });
    client.on("close", () => device.destroy());
    device.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    arm: (budget: number) => (armed = budget),
    get cuts() {
      return cuts;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

test.skipIf(!haveChromium)(
  "in the page: keyed tap check (verified, counter rises, replay refused), images refused in words, an update cut mid-upload resumes and is confirmed",
  async (t) => {
    const dir = tempDir(t);
    const plaque = await startSimulator({
      board: loadBoard("sim-plaque"),
      wasmPath: firmwarePath("sim-plaque"),
      stateDir: join(dir, "state"),
      tcpPort: 0,
      baud: 921600,
    });
    t.onTestFinished(() => plaque.stop());
    const boot = await BootClient.connect(`tcp:127.0.0.1:${plaque.ports.tcp}`);
    const anchor = await boot.trust(releaseKey.publicKey);
    await boot.close();

    const files = {
      good: join(dir, "plaque-1.2.3.tki"),
      stranger: join(dir, "stranger-9.0.0.tki"),
      card: join(dir, "card-1.2.3.tki"),
    };
    writeFileSync(files.good, await image([1, 2, 3], 1, releaseKey, "sim-plaque"));
    writeFileSync(files.stranger, await image([9, 0, 0], 1, otherKey, "sim-plaque"));
    writeFileSync(files.card, await image([1, 2, 3], 1, releaseKey, "sim-card"));
    const metaKey = toHex(plaque.device.keystore.demoSecret(2));
    const fileKey = toHex(plaque.device.keystore.demoSecret(3));
    const keys = join(dir, "keys.json");
    writeFileSync(keys, JSON.stringify({ tags: [{ name: "demo", template: "https://tapkit.dev/t?p={picc}&c={mac}", mode: "sun", metaKey, fileKey }] }));

    const relay = await cuttingRelay(plaque.ports.tcp!);
    t.onTestFinished(() => relay.close());
    const { url, ready } = await startWeb(`tcp:127.0.0.1:${relay.port}`, t, ["--image", files.good, "--image", files.stranger, "--keys", keys]);
    assert.deepEqual(ready.images, ["plaque-1.2.3.tki", "stranger-9.0.0.tki"]);
    const ctx = await browser(t);
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.waitForSelector("#device-card dd:has-text('sim-plaque')");
    assert.match(
      (await page.textContent("#device-card"))!,
      /firmware image\s*runs the development module \(no image installed\); security counter 0; trusts key [0-9a-f]{16}/,
    );
    assert.match((await page.textContent("#tap-keys-note"))!, /holds the tags' keys: every tap is verified there/);
    const html = (await page.content()).toLowerCase();
    for (const k of [metaKey, fileKey]) assert.ok(!html.includes(k.toLowerCase()), "no key in the page");

    // ---- tap check, verified by tapkit web ----
    await page.click("#tap-check");
    await page.waitForSelector("#verdict-line");
    const verdict = (await page.textContent("#verdict"))!;
    const counters = [...verdict.matchAll(/tap (\d) (\S+): verified: tag demo \(sun\) UID ([0-9A-F]{14}), counter (\d+)/g)];
    assert.equal(counters.length, 2, verdict);
    assert.equal(Number(counters[1][4]), Number(counters[0][4]) + 1, "the counter rises by one per tap");
    assert.match(verdict, new RegExp(`the tap counter rises: ${counters[0][4]} -> ${counters[1][4]}`));
    await shot(page, "7-tap-verified");
    // a customer's screenshot of the first tap's URL: a replay, refused in words
    await page.fill("#check-url", counters[0][2]);
    await page.click("#verify-url");
    await page.waitForSelector("#url-verdict-line");
    const replay = (await page.textContent("#url-verdict-line"))!;
    assert.match(replay, /refused \(REPLAY\): counter \d+ for tag demo:[0-9A-F]{14} is not above the last accepted \d+/, replay);
    assert.match(replay, /what to do: a copied or replayed tap URL/);
    await shot(page, "8-replay-refused");

    // ---- images refused before upload, in words ----
    await page.setInputFiles("#image-file", files.card);
    await page.waitForSelector("#image-refused");
    assert.match((await page.textContent("#image-check"))!, /this image is for board sim-card; the device is a sim-plaque[\s\S]*What to do/);
    assert.equal(await page.isDisabled("#install"), true);
    await page.selectOption("#image-pick", { label: `stranger-9.0.0.tki (${(await image([9, 0, 0], 1, otherKey, "sim-plaque")).length} B)` });
    await page.waitForSelector("#image-check:has-text('signed by key')");
    assert.match((await page.textContent("#image-check"))!, new RegExp(`signed by key ${toHexLower(otherKey.kid)}; the device trusts only key ${anchor}`));
    assert.equal(await page.isDisabled("#install"), true);
    await shot(page, "9-image-refused");

    // ---- the update, cut mid-upload, then resumed ----
    await page.selectOption("#image-pick", { index: 1 });
    await page.waitForSelector("#image-check:has-text('Ready to install')");
    const manifest = (await page.textContent("#image-manifest"))!;
    assert.match(manifest, /boardsim-plaque\s*version1\.2\.3\s*security counter1\s*signer key id[0-9a-f]{16}/);
    assert.ok(manifest.includes(anchor));
    relay.arm(30_000);
    await page.click("#install");
    await page.waitForSelector("#update-interrupted", { timeout: 60_000 });
    const cutAt = Number(/interrupted at (\d+) of/.exec((await page.textContent("#update-interrupted"))!)![1]);
    assert.equal(relay.cuts, 1);
    assert.ok(cutAt > 0, "some bytes were held before the cut");
    await page.waitForSelector("#error", { state: "visible" });
    assert.match((await page.textContent("#error"))!, /disconnected|closed/);
    await shot(page, "10-upload-cut");

    await page.click("#connect-bridge");
    await page.waitForSelector("#image-check:has-text('Ready to install')");
    await page.click("#install");
    await page.waitForSelector("#update-done", { timeout: 90_000 });
    const status = (await page.textContent("#update-status"))!;
    const resumedAt = Number(/Resumed at (\d+) bytes/.exec(status)?.[1]);
    const total = (await image([1, 2, 3], 1, releaseKey, "sim-plaque")).length;
    // the device holds at least what it acknowledged before the cut (more when answers were lost with the link)
    assert.ok(resumedAt >= cutAt && resumedAt < total, `resumed at ${resumedAt}, acknowledged ${cutAt} before the cut: ${status}`);
    assert.match(status, new RegExp(`${total - resumedAt} B sent in`), "only the rest was sent");
    assert.match(status, /Installed version 1\.2\.3 in slot \d: confirmed by (the firmware|this page once the new firmware answered)/);
    const log = (await page.textContent("#log"))!;
    const percents = new Set([...log.matchAll(/upload\s+(\d+) % [\d.]+\/[\d.]+ KiB [\d.]+ KiB\/s/g)].map((m) => m[1]));
    assert.ok(percents.size >= 4 && percents.has("100"), `progress events with bytes and rate: ${[...percents]}`);
    assert.equal(await page.getAttribute("#update-progress", "hidden"), null);
    assert.equal(await page.evaluate(() => (document.getElementById("update-progress") as HTMLProgressElement).value), total);
    await page.waitForSelector("#device-card dd:has-text('version 1.2.3')");
    assert.match((await page.textContent("#device-card"))!, /runs version 1\.2\.3 in slot-[ab] \(confirmed\); security counter 1/);
    await shot(page, "11-updated");
    console.log(`web update: cut at ${cutAt} B, resumed at ${resumedAt} B; screenshots in ${ARTIFACTS}`);

    // the device itself: the new image runs from its slot, confirmed
    const running = plaque.device.running;
    assert.ok(running && typeof running === "object", "a slot image runs");
    assert.deepEqual([...running.fields.version], [1, 2, 3]);
    assert.equal(running.mode, "confirmed");
    assert.deepEqual(pageErrors, []);
  },
);
