// The 82093AA I/O APIC through the harness on both placements, then with a local APIC on one bus.
// Reference table, one test per row (Intel 82093AA datasheet §3):
//   §3.1     IOREGSEL (8 bits, base+0x00) selects the register IOWIN (base+0x10) reads and writes
//   §3.2.1   IOAPICID: option id in bits 24-27, writable; §3.2.3 IOAPICARB loaded from it on a write
//   §3.2.2   IOAPICVER: 0x00170011 (version 0x11, maximum redirection entry 0x17), read-only
//   §3.2.4   redirection entries: reset masked; remote IRR and delivery status read-only
//   §3.2.4   edge: a rising edge of an unmasked input sends one message (vector, destination); masked edges are ignored
//   §3.2.4   polarity low: the falling edge is the assertion
//   §3.2.4   level: sends and sets remote IRR; nothing more until the EOI for its vector, then again while asserted
//   §3.2.4   unmasking an asserted level input delivers it
//   §3.2.4   delivery modes other than fixed / lowest priority are reported unimplemented
//   —        reserved offsets and undefined indirect registers: guest error, reads 0
import { describe, expect, it } from 'vitest';
import { eoiMessage } from '../../bus/apic-bus.js';
import type { Placement } from '../../machine/config/spec.js';
import { startedDevices, type DeviceHarness } from '../support/harness.js';
import { inlineDriver } from '../support/qtest.js';

const PLACEMENTS: readonly Placement[] = ['inline', 'worker'];
const BASE = 0xfec00000;
const start = startedDevices();

function ioapic(placement: Placement, options = ''): Promise<DeviceHarness> {
  return start(`impl: ioapic${options ? `\noptions: { ${options} }` : ''}`, { placement });
}
const sel = (h: DeviceHarness, i: number) => h.mmioWrite(BASE, 4, i);
const get = (h: DeviceHarness, i: number) => (sel(h, i), h.mmioRead(BASE + 0x10));
const put = (h: DeviceHarness, i: number, v: number) => (sel(h, i), h.mmioWrite(BASE + 0x10, 4, v));
const sent = (h: DeviceHarness) => h.tracesOf('apic.message').map((r) => ({ type: r.type, vector: r.vector, trigger: r.trigger, dest: r.dest }));

describe.each(PLACEMENTS)('ioapic, placement %s', (placement) => {
  it('IOREGSEL keeps 8 bits and selects what IOWIN reaches', async () => {
    const h = await ioapic(placement);
    h.mmioWrite(BASE, 4, 0x1ff);
    expect(h.mmioRead(BASE)).toBe(0xff);
    put(h, 0x11, 0x01000000);
    expect(get(h, 0x11)).toBe(0x01000000);
  });

  it('ID: the id option in bits 24-27, writable; the arbitration ID follows a write', async () => {
    const h = await ioapic(placement, 'id: 2');
    expect([get(h, 0), get(h, 2)]).toEqual([0x02000000, 0x02000000]);
    put(h, 0, 0xff000000);
    expect([get(h, 0), get(h, 2)]).toEqual([0x0f000000, 0x0f000000]);
  });

  it('version reads 0x00170011 and is read-only', async () => {
    const h = await ioapic(placement);
    put(h, 1, 0);
    expect(get(h, 1)).toBe(0x00170011);
    expect(h.tracesOf('guest_error')).toHaveLength(1);
  });

  it('redirection entries reset masked; remote IRR and delivery status are read-only', async () => {
    const h = await ioapic(placement);
    for (let pin = 0; pin < 24; pin++) expect(get(h, 0x10 + 2 * pin)).toBe(0x10000);
    put(h, 0x10, 0xffffffff);
    expect(get(h, 0x10)).toBe(0x0001afff);
  });

  it('edge: a rising edge of an unmasked input sends one message; a held line and masked edges send nothing', async () => {
    const h = await ioapic(placement);
    h.setInput('intin1', 1); // masked: ignored
    h.setInput('intin1', 0);
    put(h, 0x12, 0x31);
    put(h, 0x13, 0x05000000);
    h.setInput('intin1', 1);
    h.setInput('intin1', 1);
    h.setInput('intin1', 0);
    expect(sent(h)).toEqual([{ type: 'fixed', vector: 0x31, trigger: 'edge', dest: 5 }]);
  });

  it('polarity low: the falling edge is the assertion', async () => {
    const h = await ioapic(placement);
    h.setInput('intin3', 1);
    put(h, 0x16, 0x2033);
    h.setInput('intin3', 0);
    expect(sent(h).map((m) => m.vector)).toEqual([0x33]);
    h.setInput('intin3', 1);
    expect(sent(h)).toHaveLength(1);
  });

  it('level: remote IRR is set by the delivery and cleared by the EOI of its vector, then a still-asserted input is sent again', async () => {
    const h = await ioapic(placement);
    put(h, 0x18, 0x8040); // INTIN4: level, vector 0x40
    h.setInput('intin4', 1);
    expect(get(h, 0x18) & 0x4000).toBe(0x4000);
    h.apicMessage(eoiMessage(0x41));
    expect(sent(h)).toHaveLength(1);
    h.apicMessage(eoiMessage(0x40));
    expect(sent(h).map((m) => m.trigger)).toEqual(['level', 'level']);
    h.setInput('intin4', 0);
    h.apicMessage(eoiMessage(0x40));
    expect(get(h, 0x18) & 0x4000).toBe(0);
    expect(sent(h)).toHaveLength(2);
  });

  it('unmasking an asserted level input delivers it', async () => {
    const h = await ioapic(placement);
    put(h, 0x20, 0x18050); // INTIN8: level, masked
    h.setInput('intin8', 1);
    expect(sent(h)).toHaveLength(0);
    put(h, 0x20, 0x8050);
    expect(sent(h).map((m) => m.vector)).toEqual([0x50]);
  });

  it('an NMI delivery mode is reported unimplemented and not delivered', async () => {
    const h = await ioapic(placement);
    put(h, 0x10, 0x400);
    h.setInput('intin0', 1);
    expect(h.tracesOf('unimplemented')).toHaveLength(1);
    expect(sent(h)).toHaveLength(0);
  });

  it('reserved offsets and undefined registers are guest errors that read 0', async () => {
    const h = await ioapic(placement);
    expect(h.mmioRead(BASE + 0x04)).toBe(0);
    expect(get(h, 0x40)).toBe(0);
    expect(h.tracesOf('guest_error')).toHaveLength(2);
  });
});

describe('I/O APIC and local APIC on one APIC bus (config/apic.yaml, qtest)', () => {
  it('readl reaches both register pages: the local APIC version and the I/O APIC version', async () => {
    const q = await inlineDriver('config/apic.yaml');
    const say = (line: string) => q.execute(line).trim();
    expect(say('readl 0xfee00030')).toBe('OK 0x00050014');
    expect(say('writel 0xfec00000 0x01')).toBe('OK');
    expect(say('readl 0xfec00010')).toBe('OK 0x00170011');
    expect(say('readb 0xfee00030')).toBe('OK 0xff'); // a byte access: guest error, all ones
  });

  it('a PIT edge on INTIN2 travels as a message into the local APIC IRR and raises the CPU INTR', async () => {
    const q = await inlineDriver('config/apic.yaml');
    const say = (line: string) => q.execute(line).trim();
    say('writel 0xfee000f0 0x1ff'); // software-enable the local APIC
    say('writel 0xfee00350 0x10700'); // mask LINT0: the 8259 path is off
    say('writel 0xfec00000 0x14'); // INTIN2 low dword
    say('writel 0xfec00010 0x30'); // fixed, edge, vector 0x30, unmasked, destination 0
    expect(say('irq_intercept_in cpu')).toBe('OK');
    say('outb 0x43 0x34');
    say('outb 0x40 0x10');
    say('outb 0x40 0x00');
    const stepped = q.execute('clock_step 100000');
    expect(stepped).toContain('IRQ raise 0');
    expect(say('readl 0xfee00210')).toBe('OK 0x00010000'); // IRR: vector 0x30
  });
});
