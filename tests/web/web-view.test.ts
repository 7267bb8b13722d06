// The web view in a real browser: headless Chromium (the distribution's, never downloaded)
// opens `actorpc run config/posts/post-12.yaml --web`, types into the page, sees the characters
// on the canvas, timer rows in the timeline, a second tab refused, and the canvas equal to the
// --screenshot of the same final screen. Every wait is on page or machine state, none on time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { decodePng } from '../../machine/screenshot.js';
import { ROOT } from '../support/cli.js';
import { reaped } from '../support/children.js';
import { findChromium, launchChromium, NO_BROWSER_HELP } from './browser.js';
import { describeDifference, differingCells } from './pixels.js';

const chrome = findChromium();
const optedOut = process.env.ACTORPC_NO_BROWSER === '1';
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Start `actorpc run ... --web` and resolve with the URL it prints once it listens. */
function startWeb(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string; exit: Promise<number | null> }> {
  const child = reaped(spawn(process.execPath, ['bin/actorpc.js', 'run', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let err = '';
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      err += chunk;
      const m = /web view at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) resolve({ child, url: m[1], stderr: () => err, exit });
    });
    void exit.then((code) => reject(new Error(`actorpc exited (${code}) before serving:\n${err}`)));
  });
}

type PageState = { t: number; role: string; ended: boolean; refused: string[]; runState: string };
const state = (page: Page) => page.evaluate(() => (globalThis as any).actorpc.state as PageState);
const text = (page: Page) => page.evaluate(() => (globalThis as any).actorpc.text() as string);
/**
 * Whether the page's screen shows `typed` as echoed: the kernel's timer prints dots between the
 * echoed keys (and the line may wrap), so dots and line breaks are left out before looking.
 */
const shows = (page: Page, typed: string) =>
  page.waitForFunction((s) => ((globalThis as any).actorpc.text() as string).replace(/[.\n]/g, '').includes(s), typed, { timeout: 0 });

async function canvasImage(page: Page): Promise<{ width: number; height: number; data: Uint8Array }> {
  const url = await page.evaluate(() => (globalThis as any).document.getElementById('screen').toDataURL('image/png'));
  return decodePng(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
}

describe.skipIf(optedOut)('the web view in headless Chromium (ACTORPC_NO_BROWSER=1 skips these)', () => {
  it('has a Chromium to drive (CHROME_PATH or chromium on PATH)', () => {
    expect(chrome, NO_BROWSER_HELP).toBeDefined();
  });

  it('shows post-12 booting, echoes keys typed in the page, draws timer rows, refuses a second tab, and ends with the canvas equal to --screenshot', async () => {
    if (!chrome) throw new Error(NO_BROWSER_HELP);
    const dir = mkdtempSync(join(tmpdir(), 'actorpc-web-'));
    temps.push(dir);
    const shot = join(dir, 'final.png');
    const web = await startWeb(['config/posts/post-12.yaml', '--headless', '--web', '--screenshot', shot]);
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const chromium = await launchChromium(chrome);
    try {
      const context = chromium.browser.contexts()[0] ?? (await chromium.browser.newContext());
      const first = await context.newPage();
      await first.goto(web.url);
      await first.waitForFunction(() => (globalThis as any).actorpc?.text().includes('async number: 42'), undefined, { timeout: 0 });
      expect((await state(first)).role).toBe('input');

      await first.click('#screen');
      await first.keyboard.type('hello web');
      await shows(first, 'hello web');

      // The PIT's line and the timer handler (vector 32) have rows with events in the window.
      await first.waitForFunction(() => {
        const rows = (globalThis as any).actorpc.rows() as Array<{ label: string; events: number }>;
        return rows.some((r) => r.label === 'pic1.ir0' && r.events > 0) && rows.some((r) => r.label === 'v32 handler' && r.events > 0);
      }, undefined, { timeout: 0 });
      await first.waitForFunction(() => (globalThis as any).document.querySelector('#counts tr[data-vector="32"]') !== null, undefined, { timeout: 0 });

      // A second tab watches, but its keys are refused with a message.
      const second = await context.newPage();
      await second.goto(web.url);
      await second.waitForFunction(() => (globalThis as any).actorpc?.state.role === 'viewer', undefined, { timeout: 0 });
      await second.click('#screen');
      await second.keyboard.type('x');
      await second.waitForFunction(() => (globalThis as any).actorpc.state.refused.length > 0, undefined, { timeout: 0 });
      expect((await state(second)).refused[0]).toContain('another tab has the keyboard');
      expect(await second.textContent('#notice')).toContain('input refused');
      // The refused key never reached the machine: the first tab's next key (7) follows "hello web" directly.
      await first.keyboard.type('7');
      await shows(first, 'hello web7');
      await shows(second, 'hello web7');

      // Closing a tab leaves the machine running: machine time keeps moving for the other.
      await second.close();
      const t0 = (await state(first)).t;
      await first.waitForFunction((t) => (globalThis as any).actorpc.state.t > t, t0, { timeout: 0 });
      expect(web.child.exitCode).toBeNull();

      // Ctrl-C (SIGINT) stops it: exit 130, the final screenshot, and the page's last picture.
      web.child.kill('SIGINT');
      expect(await web.exit).toBe(130);
      await first.waitForFunction(() => (globalThis as any).actorpc.state.ended, undefined, { timeout: 0 });
      expect((await text(first)).replace(/[.\n]/g, '')).toContain('hello web7');
      const canvas = await canvasImage(first);
      const png = decodePng(readFileSync(shot));
      expect(describeDifference(differingCells(canvas, png))).toBe('the images match');
    } finally {
      await chromium.close();
    }
  }, 180_000);
});
