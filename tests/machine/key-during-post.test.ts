// A key pressed while the firmware resets the keyboard must not cost the session its keyboard
// (post 12, virtual time). The stray scancode lands in the 8042's output buffer where POST waits
// for ACK / BAT; POST drops it (as SeaBIOS's ps2_recvbyte does), finishes with command byte 0x61,
// and the kernel later echoes what is typed.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import { typeText } from '../../machine/input/keymap.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const POST_12 = configPath('posts/post-12.yaml');
const typed = (text: string) => typeText(text).events.map((e) => ({ key: e.key, down: e.down, delay: e.delay }));

const isWrite = (port: number, value: number) => (r: TraceRecord) => r.kind === 'io.write' && r.port === port && r.value === value;
const isRead = (port: number, value: number) => (r: TraceRecord) => r.kind === 'io.read' && r.port === port && r.value === value;

/** Machine times of POST's keyboard steps, from a run with no keys (virtual time: the same in every run). */
async function postTimeline() {
  const run = await runMachine(POST_12, { trace: true, spec: virtual, stopAt: 1e6, stopReason: 'for' });
  const at = (p: (r: TraceRecord) => boolean) => {
    const r = run.traces.find(p);
    if (!r) throw new Error('POST did not reach this keyboard step');
    return r.t;
  };
  return {
    portEnabled: at(isWrite(0x64, 0xae)),
    reset: at(isWrite(0x60, 0xff)),
    batRead: at(isRead(0x60, 0xaa)),
    scanningOff: at(isWrite(0x60, 0xf5)),
    scanningOn: at(isWrite(0x60, 0xf4)),
    biosDrain: run.traces.filter((r) => r.kind === 'io.read' && r.port === 0x64).at(-1)!.t,
  };
}

describe('post 12: a key pressed while POST resets the keyboard', () => {
  it.each([
    ['between enabling the keyboard port (0xAE) and the reset (0xFF)', 'portEnabled', 'reset'],
    ['between the reset\'s BAT byte (0xAA) and disabling scanning (0xF5)', 'batRead', 'scanningOff'],
    ['after POST enabled scanning (0xF4), while the bootloader runs', 'scanningOn', 'biosDrain'],
  ] as const)('%s is dropped by the firmware, and "hello" typed later is echoed', async (_when, from, to) => {
    const post = await postTimeline();
    const at = Math.floor((post[from] + post[to]) / 2);
    expect(at).toBeGreaterThan(post[from]);
    const run = await runMachine(POST_12, {
      trace: true,
      spec: virtual,
      input: { kbd: [{ key: 'A', down: true, at }, { key: 'A', down: false, at }] },
      keys: typed('hello'),
      stopAt: 0.05e9,
      stopReason: 'for',
    });
    const pressed = run.traces.find((r) => r.kind === 'kbd.key' && r.key === 'A' && r.action === 'make')!;
    expect(pressed.t).toBeGreaterThan(post[from]);
    expect(pressed.t).toBeLessThan(post[to]);
    expect(run.traces.some(isWrite(0x60, 0x61))).toBe(true); // POST finished: translation and IRQ1 on
    expect(run.screen.rowText(24).trimEnd()).toBe('hello');
  });
});
