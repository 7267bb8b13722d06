// The local APIC through the harness (the real bus router, MMIO decode and shell), on both
// placements. Reference table, one test per row (Intel SDM vol. 3A ch. 11):
//   §11.4.6   ID register: reset = option id in bits 24-31, writable
//   §11.4.8   version register: 0x00050014 (version 0x14, max LVT entry 5)
//   §11.8.3.1 TPR read/write; PPR = TPR, or the in-service vector's class when higher
//   §11.8.4   a fixed interrupt goes into IRR and raises INTR; INTA moves it to ISR
//   §11.8.3   an IRR vector whose class is not above PPR's is held (TPR blocks it)
//   §11.8.5   EOI ends the highest in-service vector; a level-triggered one is broadcast (EOI message)
//   §11.9     INTA with nothing deliverable answers the spurious vector, ISR untouched
//   §11.4.7.2 software-disabled (SVR bit 8 clear): no INTR for fixed interrupts, LVT mask bits stay set
//   §11.5.4   timer one-shot: current count falls at bus/divide rate; at 0 the LVT vector, count stays 0
//   §11.5.4   timer periodic: reloads and interrupts every period; masked: counts, no interrupt
//   §11.5.4   divide configuration: bits 0,1,3 select ÷1..÷128; TSC-deadline mode is reported unimplemented
//   §11.5.1   LINT0 ExtINT (virtual wire): INTR follows the 8259's INT, INTA answers CASCADE + 0
//   §11.5.1   LINT0 masked (virtual_wire: false): the 8259's INT does not reach INTR
//   §11.5.1   LINT fixed, level: remote IRR until the EOI of its vector, then delivered again
//   §11.5.3   ESR: illegal vector / illegal register errors appear after an ESR write; LVT error interrupt
//   §11.6.1   ICR fixed self-IPI lands in IRR
//   §11.6.2   a message for another physical ID or a non-matching logical mask is ignored
//   bus       a 1-byte access is a guest error: the read gives all ones, the write is dropped
import { describe, expect, it } from 'vitest';
import { CASCADE } from '../../bus/device.js';
import { interruptMessage } from '../../bus/apic-bus.js';
import type { Placement } from '../../machine/config/spec.js';
import { startedDevices, type DeviceHarness } from '../support/harness.js';

const PLACEMENTS: readonly Placement[] = ['inline', 'worker'];
const BASE = 0xfee00000;
const start = startedDevices();

function lapic(placement: Placement, options = ''): Promise<DeviceHarness> {
  return start(`impl: lapic${options ? `\noptions: { ${options} }` : ''}`, { placement });
}
const rd = (h: DeviceHarness, off: number) => h.mmioRead(BASE + off);
const wr = (h: DeviceHarness, off: number, v: number) => h.mmioWrite(BASE + off, 4, v);
const enable = (h: DeviceHarness) => wr(h, 0xf0, 0x1ff);
const fixed = (vector: number, level = false, dest = 0) => interruptMessage(vector, 0, false, level, dest);
const irrHas = (h: DeviceHarness, v: number) => ((rd(h, 0x200 + 0x10 * (v >> 5)) >>> (v & 31)) & 1) === 1;
const isrHas = (h: DeviceHarness, v: number) => ((rd(h, 0x100 + 0x10 * (v >> 5)) >>> (v & 31)) & 1) === 1;

describe.each(PLACEMENTS)('lapic, placement %s', (placement) => {
  it('ID: reset from the id option in bits 24-31, and writable', async () => {
    const h = await lapic(placement, 'id: 3');
    expect(rd(h, 0x20)).toBe(0x03000000);
    wr(h, 0x20, 0x05000000);
    expect(rd(h, 0x20)).toBe(0x05000000);
  });

  it('version register reads 0x00050014 and ignores writes', async () => {
    const h = await lapic(placement);
    wr(h, 0x30, 0);
    expect(rd(h, 0x30)).toBe(0x00050014);
  });

  it('TPR is read/write; PPR is the TPR or the in-service class, whichever is higher', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x80, 0x25);
    expect(rd(h, 0x80)).toBe(0x25);
    expect(rd(h, 0xa0)).toBe(0x25);
    h.apicMessage(fixed(0x41));
    expect(h.acknowledge()).toBe(0x41);
    expect(rd(h, 0xa0)).toBe(0x40);
  });

  it('a fixed interrupt goes into IRR and raises INTR; INTA moves it to ISR and lowers INTR', async () => {
    const h = await lapic(placement);
    enable(h);
    h.apicMessage(fixed(0x30));
    expect(irrHas(h, 0x30)).toBe(true);
    expect(h.level('intr')).toBe(1);
    expect(h.acknowledge()).toBe(0x30);
    expect([irrHas(h, 0x30), isrHas(h, 0x30)]).toEqual([false, true]);
    expect(h.level('intr')).toBe(0);
  });

  it('a vector whose class is not above PPR is held until the TPR drops', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x80, 0x50);
    h.apicMessage(fixed(0x55));
    expect(irrHas(h, 0x55)).toBe(true);
    expect(h.level('intr')).toBe(0);
    h.apicMessage(fixed(0x61));
    expect(h.level('intr')).toBe(1);
    expect(h.acknowledge()).toBe(0x61);
    wr(h, 0xb0, 0);
    wr(h, 0x80, 0x40);
    expect(h.level('intr')).toBe(1);
    expect(h.acknowledge()).toBe(0x55);
  });

  it('EOI ends the highest in-service vector; a level-triggered one is broadcast as an EOI message', async () => {
    const h = await lapic(placement);
    enable(h);
    h.apicMessage(fixed(0x30));
    h.acknowledge();
    h.apicMessage(fixed(0x50, true));
    h.acknowledge();
    expect(rd(h, 0x180 + 0x20) >>> 16 & 1).toBe(1); // TMR bit 0x50
    wr(h, 0xb0, 0);
    expect([isrHas(h, 0x50), isrHas(h, 0x30)]).toEqual([false, true]);
    expect(h.tracesOf('apic.message').map((r) => [r.type, r.vector])).toEqual([['eoi', 0x50]]);
    wr(h, 0xb0, 0);
    expect(isrHas(h, 0x30)).toBe(false);
    expect(h.tracesOf('apic.message')).toHaveLength(1); // edge: no broadcast
  });

  it('INTA with nothing deliverable answers the spurious vector and puts nothing in service', async () => {
    const h = await lapic(placement, 'virtual_wire: false');
    wr(h, 0xf0, 0x1ef);
    expect(h.acknowledge()).toBe(0xef);
    expect(rd(h, 0x100 + 0x70)).toBe(0);
  });

  it('software-disabled: fixed interrupts raise no INTR, and LVT mask bits stay set', async () => {
    const h = await lapic(placement);
    h.apicMessage(fixed(0x30));
    expect(h.level('intr')).toBe(0);
    wr(h, 0x320, 0x40);
    expect(rd(h, 0x320)).toBe(0x10040);
    enable(h);
    expect(h.level('intr')).toBe(1); // held in IRR, delivered once enabled
    wr(h, 0xf0, 0xff);
    expect(rd(h, 0x350) & 0x10000).toBe(0x10000); // disabling masks every LVT entry
  });

  it('timer one-shot: the count falls at bus clock ÷ divide, fires its vector at 0 and stays 0', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x3e0, 0x3); // ÷16: one tick per 16 ns at 1 GHz
    wr(h, 0x320, 0x40);
    wr(h, 0x380, 1000);
    expect(rd(h, 0x390)).toBe(1000);
    h.step(1600);
    expect(rd(h, 0x390)).toBe(900);
    expect(h.level('intr')).toBe(0);
    h.step(16000 - 1600);
    expect(h.level('intr')).toBe(1);
    expect(h.acknowledge()).toBe(0x40);
    expect(rd(h, 0x390)).toBe(0);
    h.step(1e6);
    expect(h.tracesOf('lapic.timer')).toHaveLength(1);
  });

  it('timer periodic interrupts every period; masked it counts but raises nothing', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x3e0, 0xb); // ÷1
    wr(h, 0x320, 0x20041); // periodic, vector 0x41
    wr(h, 0x380, 100);
    for (let i = 1; i <= 3; i++) {
      h.step(100);
      expect(h.tracesOf('lapic.timer').map((r) => r.t)).toHaveLength(i);
      expect(h.acknowledge()).toBe(0x41);
      wr(h, 0xb0, 0);
    }
    expect(h.tracesOf('lapic.timer').map((r) => r.t)).toEqual([100, 200, 300]);
    wr(h, 0x320, 0x30041); // masked
    h.step(100);
    expect(h.tracesOf('lapic.timer').at(-1)?.masked).toBe(1);
    expect(h.level('intr')).toBe(0);
    expect(rd(h, 0x390)).toBe(100);
  });

  it('divide configuration ÷128 slows the count; TSC-deadline mode is reported unimplemented and stops it', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x3e0, 0xa); // ÷128
    wr(h, 0x380, 10);
    h.step(128 * 4);
    expect(rd(h, 0x390)).toBe(6);
    wr(h, 0x320, 0x40040);
    expect(h.tracesOf('unimplemented')).toHaveLength(1);
    expect(h.nextDeadline).toBe(Infinity);
  });

  it('LINT0 ExtINT (virtual wire): INTR follows the pin and INTA answers CASCADE + 0', async () => {
    const h = await lapic(placement);
    expect(rd(h, 0x350)).toBe(0x700);
    h.setInput('lint0', 1);
    expect(h.level('intr')).toBe(1);
    expect(h.acknowledge()).toBe(CASCADE + 0);
    h.setInput('lint0', 0);
    expect(h.level('intr')).toBe(0);
  });

  it('LINT0 masked at reset (virtual_wire: false): the pin does not reach INTR', async () => {
    const h = await lapic(placement, 'virtual_wire: false');
    expect(rd(h, 0x350)).toBe(0x10000);
    h.setInput('lint0', 1);
    expect(h.level('intr')).toBe(0);
  });

  it('LINT1 fixed level-triggered: remote IRR holds it until the EOI, then a still-high pin is delivered again', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x360, 0x8060); // fixed, level, vector 0x60
    h.setInput('lint1', 1);
    expect(rd(h, 0x360) & 0x4000).toBe(0x4000);
    expect(h.acknowledge()).toBe(0x60);
    expect(h.level('intr')).toBe(0);
    wr(h, 0xb0, 0);
    expect(h.level('intr')).toBe(1);
    expect(h.acknowledge()).toBe(0x60);
    h.setInput('lint1', 0);
    wr(h, 0xb0, 0);
    expect(rd(h, 0x360) & 0x4000).toBe(0);
    expect(h.level('intr')).toBe(0);
  });

  it('ESR shows errors only after a write; an illegal vector and a reserved register are recorded, the LVT error entry interrupts', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x370, 0xfe);
    h.apicMessage(fixed(0x05));
    expect(rd(h, 0x280)).toBe(0);
    wr(h, 0x280, 0);
    expect(rd(h, 0x280)).toBe(0x40);
    expect(h.acknowledge()).toBe(0xfe);
    expect(rd(h, 0x3f0)).toBe(0); // reserved
    wr(h, 0x280, 0);
    expect(rd(h, 0x280)).toBe(0x80);
    expect(h.tracesOf('guest_error').length).toBeGreaterThan(0);
  });

  it('an ICR fixed self-IPI lands in IRR', async () => {
    const h = await lapic(placement);
    enable(h);
    wr(h, 0x300, 0x40070); // shorthand self, vector 0x70
    expect(rd(h, 0x300) & 0x1000).toBe(0); // delivery status idle
    expect(h.acknowledge()).toBe(0x70);
  });

  it('messages for another physical ID or a non-matching logical mask are ignored', async () => {
    const h = await lapic(placement, 'id: 1');
    enable(h);
    h.apicMessage(fixed(0x30, false, 2));
    wr(h, 0xd0, 0x02000000);
    h.apicMessage(interruptMessage(0x31, 0, true, false, 0x01));
    expect(h.level('intr')).toBe(0);
    h.apicMessage(interruptMessage(0x32, 0, true, false, 0x03));
    h.apicMessage(fixed(0x33, false, 1));
    h.apicMessage(fixed(0x34, false, 0xff));
    const taken = [0, 1, 2].map(() => {
      const v = h.acknowledge();
      wr(h, 0xb0, 0); // same priority class: the next waits for this EOI
      return v;
    });
    expect(taken).toEqual([0x34, 0x33, 0x32]);
    expect(h.level('intr')).toBe(0);
  });

  it('a 1-byte access is a guest error: the read gives all ones and the write is dropped', async () => {
    const h = await lapic(placement);
    expect(h.mmioRead(BASE + 0x80, 1)).toBe(0xff);
    h.mmioWrite(BASE + 0x80, 1, 0x55);
    expect(rd(h, 0x80)).toBe(0);
    expect(h.tracesOf('guest_error')).toHaveLength(2);
    expect(h.tracesOf('mmio.read').at(-1)).toMatchObject({ addr: BASE + 0x80, size: 4, value: 0, device: 'dut', reg: 'TPR' });
  });
});
