// A user device brings its own front ends (examples/devices/postcode): the YAML's adapter: picks
// one, checked by the config loader; its events reach it on the main thread, and the harness/API.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevice } from '../../harness/index.js';
import { createFrontEnd } from '../../machine/frontends.js';
import { loadDeviceModule } from '../../machine/device-registry.js';
import { ROOT } from '../support/cli.js';

const MODULE = join(ROOT, 'dist', 'examples', 'devices', 'postcode', 'module.js');
const dir = mkdtempSync(join(tmpdir(), 'actorpc-postcode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a user device with front ends of its own', () => {
  it('writes to port 0x80 become code events, and adapter: file appends them as "POST 0x.." lines', async () => {
    const file = join(dir, 'post.log');
    const h = await startDevice(`impl: ${MODULE}\nadapter: file\noptions: { file: ${file} }`, { name: 'post' });
    h.out(0x80, 1, 0x2a);
    h.out(0x80, 1, 0x03);
    await h.stop();
    expect(h.events).toEqual([{ channel: 'code', payload: 0x2a }, { channel: 'code', payload: 0x03 }]);
    const fe = createFrontEnd(h.spec, h.module.kind, { machineName: 'm' }, h.module)!;
    for (const e of h.events) fe.onEvent({ device: 'post', ...e });
    fe.close();
    expect(readFileSync(file, 'utf8')).toBe('POST 0x2a\nPOST 0x03\n');
  });

  it('the console adapter writes through the host (kept for after the full-screen UI when it owns the terminal)', async () => {
    const module = await loadDeviceModule(MODULE);
    const kept: string[] = [];
    const fe = createFrontEnd({ name: 'post', module: MODULE, adapter: 'console', options: {} } as never, module.kind,
      { deferredStdout: { write: (c) => kept.push(new TextDecoder().decode(c)) } }, module)!;
    fe.onEvent({ device: 'post', channel: 'code', payload: 0xff });
    expect(kept).toEqual(['POST 0xff\n']);
  });

  it('an adapter the module does not declare is a config error naming its adapters', async () => {
    await expect(startDevice(`impl: ${MODULE}\nadapter: lcd`)).rejects.toThrow(/console, file, none/);
  });
});
