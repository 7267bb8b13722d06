// Headless Chromium for the web view's tests: the distribution's browser (CHROME_PATH, else
// chromium on PATH), never a downloaded one, started with a fresh profile and driven by
// playwright-core over the DevTools protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium to drive: CHROME_PATH if set (undefined when it is not an executable), else the first chromium / chromium-browser on PATH. */
export function findChromium(): string | undefined {
  const runnable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const explicit = process.env.CHROME_PATH;
  if (explicit) return runnable(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const file = join(dir, name);
      if (runnable(file)) return file;
    }
  }
  return undefined;
}

/** What to do when no Chromium is found (the browser tests fail with this unless ACTORPC_NO_BROWSER=1). */
export const NO_BROWSER_HELP =
  'The web view tests need Chromium: install the distribution\'s package (apt-get install chromium; .ci/run does this in CI) ' +
  'or point CHROME_PATH at a Chromium binary. To run the other tests without a browser, set ACTORPC_NO_BROWSER=1 (the browser tests are then skipped).';

export const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--remote-debugging-port=0',
];

export interface RunningBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Start Chromium with a fresh temporary profile and connect to it; close() ends it and removes the profile. */
export async function launchChromium(executable: string): Promise<RunningBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'actorpc-chromium-'));
  const child: ChildProcess = spawn(executable, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true }); // its own process group: its helpers end with it
  // Whatever happens to the test (a timeout, a crash), the browser ends with this process.
  const reap = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', reap);
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${executable} exited (${code}) before it listened:\n${text}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      reap(); // renderer and zygote helpers may still be writing to the profile
      process.off('exit', reap);
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }); // Chromium's helpers may still be leaving
    },
  };
}
