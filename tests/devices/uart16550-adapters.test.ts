// The serial front ends: each takes the UART's `tx` bytes in order (capture, stdout, file).
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureAdapter, FileAdapter, StdoutAdapter, createSerialAdapter } from '../../devices/uart16550/adapters/index.js';
import { Com, init06, write06 } from './uart16550-harness.js';
import { tempDirs } from '../support/temp.js';

const temp = tempDirs('actorpc-uart-');

const feed = (a: { onByte(b: number): void }, s: string | number[]) =>
  (typeof s === 'string' ? [...Buffer.from(s, 'utf8')] : s).forEach((b) => a.onByte(b));

describe('serial adapters', () => {
  it('capture keeps the bytes; text() decodes UTF-8 and keeps CR LF', () => {
    const a = new CaptureAdapter();
    feed(a, 'ok\r\n✓');
    expect(a.text()).toBe('ok\r\n✓');
    expect([...a.bytes()].slice(0, 4)).toEqual([0x6f, 0x6b, 0x0d, 0x0a]);
    a.close();
    a.onByte(0x41);
    expect(a.text()).toBe('ok\r\n✓');
  });

  it('capture fed from the core’s tx events gets what a uart_16550 0.6 kernel printed', () => {
    const c = new Com();
    init06(c);
    write06(c, '[ok]\n');
    const a = new CaptureAdapter();
    for (const e of c.ctx.events) if (e.channel === 'tx') a.onByte(e.payload as number);
    expect(a.text()).toBe('[ok]\r\n');
  });

  it('stdout gathers bytes into one write per turn and flushes on close', async () => {
    const chunks: Uint8Array[] = [];
    const a = new StdoutAdapter({ write: (c) => chunks.push(c) });
    feed(a, 'ab');
    expect(chunks).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(chunks.map((c) => Buffer.from(c).toString())).toEqual(['ab']);
    feed(a, [0x0d, 0x0a]);
    a.close();
    expect(chunks.map((c) => [...c])).toEqual([[0x61, 0x62], [0x0d, 0x0a]]);
  });

  it('file appends to the path (existing contents kept)', () => {
    const path = join(temp.make(), 'serial.log');
    writeFileSync(path, 'before\n');
    const a = new FileAdapter(path);
    feed(a, 'ok\r\n');
    a.close();
    a.onByte(0x41); // after close: ignored
    expect(readFileSync(path, 'utf8')).toBe('before\nok\r\n');
  });

  it('createSerialAdapter knows the names the module lists', () => {
    expect(createSerialAdapter('capture')).toBeInstanceOf(CaptureAdapter);
    expect(createSerialAdapter('stdout', { out: { write: () => true } })).toBeInstanceOf(StdoutAdapter);
    expect(() => createSerialAdapter('file')).toThrow(/path/);
    expect(() => createSerialAdapter('tcp')).toThrow(/unknown serial adapter/);
  });
});
