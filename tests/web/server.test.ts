// The web view's server without a browser: what it serves, to whom, and what it forwards.
// A stand-in machine (subjects and a control block) feeds it; ws clients play the tabs.
import { request } from 'node:http';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ControlBlock } from '../../bus/control.js';
import type { TraceRecord } from '../../bus/trace.js';
import { UsageError } from '../../machine/cli/usage.js';
import type { DeviceEvent, Machine } from '../../machine/machine.js';
import { timelineEvent } from '../../machine/web/feed.js';
import type { ServerMessage } from '../../machine/web/protocol.js';
import { WebView } from '../../machine/web/server.js';

const views: WebView[] = [];
afterEach(async () => {
  for (const v of views.splice(0)) await v.close();
});

function fakeMachine() {
  const inputs: Array<{ device: string; keys: Array<{ key: string; down: boolean }> }> = [];
  const m = {
    events$: new Subject<DeviceEvent>(),
    trace$: new Subject<TraceRecord>(),
    control: ControlBlock.allocate(),
    input: (device: string, keys: Array<{ key: string; down: boolean }>) => inputs.push({ device, keys }),
  };
  return { m, inputs, machine: m as unknown as Machine };
}

async function started() {
  const fake = fakeMachine();
  const view = await WebView.listen(0);
  views.push(view);
  view.attach({ machine: fake.machine, name: 'test', timeMode: 'virtual', vga: 'vga', keyboard: 'kbd' });
  return { ...fake, view };
}

/** A tab: a ws client that collects messages; next(type) resolves with the next one of that type. */
function tab(view: WebView, origin = `http://127.0.0.1:${view.port}`) {
  const ws = new WebSocket(`ws://127.0.0.1:${view.port}/ws`, { origin });
  const got: ServerMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    got.push(JSON.parse(d.toString()) as ServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  const next = async <K extends ServerMessage['type']>(type: K, from = 0): Promise<Extract<ServerMessage, { type: K }>> => {
    for (;;) {
      const m = got.slice(from).find((x) => x.type === type);
      if (m) return m as Extract<ServerMessage, { type: K }>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, got, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe('the web view server', () => {
  it('listens on 127.0.0.1 only and serves the page, its scripts, the renderer and the font, nothing else', async () => {
    const { view } = await started();
    expect(view.url).toBe(`http://127.0.0.1:${view.port}/`);
    const get = (path: string) => fetch(`http://127.0.0.1:${view.port}${path}`);
    expect((await (await get('/')).text())).toContain('<canvas id="screen"');
    expect((await get('/app.js')).headers.get('content-type')).toContain('javascript');
    expect((await (await get('/font.bin')).arrayBuffer()).byteLength).toBe(4096);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/web/app.js')).status).toBe(404);
  });

  it('refuses requests naming another host (DNS rebinding) and WebSockets from another origin', async () => {
    const { view } = await started();
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: view.port, path: '/', headers: { host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(403);
    const foreign = new WebSocket(`ws://127.0.0.1:${view.port}/ws`, { origin: 'http://evil.example' });
    const error = await new Promise<string>((resolve) => foreign.on('error', (e) => resolve(e.message)));
    expect(error).toContain('403');
  });

  it('gives the first tab the keyboard and refuses a second tab\'s keys with a message; keys reach the keyboard device', async () => {
    const { view, inputs } = await started();
    const a = tab(view);
    expect((await a.next('hello')).role).toBe('input');
    const b = tab(view);
    expect((await b.next('hello')).role).toBe('viewer');
    b.send({ type: 'type', text: 'x' });
    expect((await b.next('refused')).message).toContain('another tab has the keyboard');
    a.send({ type: 'type', text: 'hi' });
    a.send({ type: 'key', key: 'ArrowUp' });
    a.send({ type: 'key', key: 'NoSuchKey' });
    expect((await a.next('refused')).message).toContain('unknown message');
    expect(inputs.map((i) => i.device)).toEqual(['kbd', 'kbd']);
    expect(inputs[0].keys.filter((k) => k.down).map((k) => k.key)).toEqual(['H', 'I']);
    expect(inputs[1].keys.map((k) => `${k.key}:${k.down}`)).toEqual(['ArrowUp:true', 'ArrowUp:false']);
    // The first tab closes: the keyboard passes to the second.
    a.ws.close();
    expect((await b.next('role')).role).toBe('input');
  });

  it('forwards VGA frames, timeline events and status to every tab, then "end" when the machine stops', async () => {
    const { view, m } = await started();
    const a = tab(view);
    await a.next('hello');
    const frame = { t: 5, full: false, cells: [0, 0x41, 0x07], cursor: { row: 0, col: 0, visible: false, start: 0, end: 0 }, blink: true };
    m.events$.next({ device: 'vga', channel: 'frame', payload: frame });
    m.events$.next({ device: 'com1', channel: 'tx', payload: 65 });
    expect((await a.next('frame')).frame).toEqual(frame);
    m.control.vectorCounts[32] = 3;
    m.trace$.next({ v: 2, t: 10, seq: 1, kind: 'irq.level', src: 'pit', line: 'pic1.ir0', state: 1 });
    m.trace$.next({ v: 2, t: 11, seq: 2, kind: 'io.read', src: 'cpu', port: 0x60 });
    const trace = await a.next('trace');
    expect(trace.events).toEqual([{ k: 'edge', t: 10, line: 'pic1.ir0', state: 1 }]);
    expect((await a.next('status', a.got.indexOf(trace))).counts).toEqual([[32, 3]]);
    // A tab opened later gets the screen so far.
    const b = tab(view);
    expect((await b.next('hello')).screen.cells[0]).toBe(0x0741);
    view.end(99, 'SIGINT');
    expect(await a.next('end')).toEqual({ type: 'end', t: 99, why: 'SIGINT' });
    expect(await b.next('end')).toEqual({ type: 'end', t: 99, why: 'SIGINT' });
  });

  it('reads timeline events from v1 and v2 records, with or without cpu.iret and depth', () => {
    const r = (kind: string, f: Record<string, unknown>) => ({ v: 2, t: 7, seq: 0, kind, src: 'x', ...f }) as TraceRecord;
    expect(timelineEvent(r('irq.level', { line: 'pic1.ir1', level: 0 }))).toEqual({ k: 'edge', t: 7, line: 'pic1.ir1', state: 0 });
    expect(timelineEvent(r('cpu.int', { vector: 33 }))).toEqual({ k: 'int', t: 7, vector: 33 });
    expect(timelineEvent(r('cpu.int', { vector: 33, depth: 2 }))).toEqual({ k: 'int', t: 7, vector: 33, depth: 2 });
    expect(timelineEvent(r('cpu.iret', { vector: 33, duration: 5, depth: 1 }))).toEqual({ k: 'iret', t: 7, vector: 33, duration: 5, depth: 1 });
    expect(timelineEvent(r('irq.coalesced', { line: 'pic1.ir0', count: 4 }))).toEqual({ k: 'coalesced', t: 7, line: 'pic1.ir0', count: 4 });
    expect(timelineEvent(r('cpu.int', {}))).toBeUndefined();
  });

  it('says which port is in use and how to fix it when --web PORT is taken (a usage error)', async () => {
    const { view } = await started();
    const err = await WebView.listen(view.port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`port ${view.port} on 127.0.0.1 is in use`);
  });
});
