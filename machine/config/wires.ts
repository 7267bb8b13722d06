// Wires: "device.pin -> device.pin", from an output to an input, each input driven by one wire.
import type { ConfigError } from './errors.js';
import { displayPos } from './errors.js';
import type { ResolvedDevice } from './devices.js';
import type { Merged, Val } from './merge.js';
import { errorAt, posAt } from './source.js';
import type { PinRef, WireSpec } from './spec.js';
import { didYouMean } from './suggest.js';

/** The CPU as a wire end: one input, the INTR line. */
export const CPU_PINS = { inputs: ['intr'] as readonly string[], outputs: [] as readonly string[] };

const EXAMPLE = '"pit.out0 -> pic1.ir0"';
const FORM = `Write "device.pin -> device.pin", from an output to an input, e.g. ${EXAMPLE}.`;

interface Pins {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly impl: string;
}

const list = (names: readonly string[]): string => (names.length ? names.join(', ') : 'none');
const pinList = (dev: string, p: Pins): string => `Pins of ${dev} (${p.impl}): inputs ${list(p.inputs)}; outputs ${list(p.outputs)}.`;

export function resolveWires(m: Merged, devices: ReadonlyMap<string, ResolvedDevice>, errors: ConfigError[]): WireSpec[] {
  const out: WireSpec[] = [];
  const drivers = new Map<string, Val<string>>();
  const names = ['cpu', ...m.devices.keys()];

  const pinsOf = (dev: string): Pins | undefined => {
    if (dev === 'cpu') return { ...CPU_PINS, impl: 'the processor' };
    const r = devices.get(dev);
    return r && { inputs: r.module.inputs ?? [], outputs: r.module.outputs ?? [], impl: r.spec.impl };
  };

  for (const wire of m.wires) {
    const text = wire.value;
    const fail = (message: string, hint: string): void => void errors.push(errorAt(wire.at, message, hint));
    const sides = text.split('->');
    if (sides.length !== 2) {
      if (sides.length > 2) fail(`"${text}" has more than one "->".`, `One wire per list item: ${FORM}`);
      else if (text.includes('<-')) fail(`"${text}" points the wrong way.`, `Wires run from an output to an input with "->": ${FORM}`);
      else if (/=>|→|-+>|\s-\s/.test(text)) fail(`"${text}": the arrow is written "->".`, FORM);
      else fail(`"${text}" is not a wire: it has no "->".`, FORM);
      continue;
    }
    const [left, right] = sides.map((s) => s.trim());
    if (right === '') {
      fail(`"${text}" is a wire to nowhere: nothing after "->".`, `Name the input it drives: "${left} -> <device>.<input>".`);
      continue;
    }
    if (left === '') {
      fail(`"${text}" is a wire from nowhere: nothing before "->".`, `Name the output that drives it: "<device>.<output> -> ${right}".`);
      continue;
    }

    const ends: PinRef[] = [];
    let ok = true;
    let skip = false;
    for (const side of [left, right]) {
      const m2 = /^([^.\s]+)\.([^.\s]+)$/.exec(side);
      const dev = m2?.[1] ?? side.split('.')[0];
      if (!m2) {
        const pins = pinsOf(dev);
        fail(`"${side}" is not "device.pin".`, pins ? `Write "${dev}.<pin>". ${pinList(dev, pins)}` : FORM);
        ok = false;
        break;
      }
      const pin = m2[2];
      const pins = pinsOf(dev);
      if (!pins) {
        const removed = m.removed.get(dev);
        if (removed) {
          fail(
            `"${text}" is a wire to nowhere: device "${dev}" was removed (${dev}: ~) at ${displayPos(posAt(removed.src, removed.path, 'key'))}.`,
            `Remove this wire too, or keep the device.`,
          );
          ok = false;
        } else if (!m.devices.has(dev) && !m.incomplete) {
          fail(`unknown device "${dev}" in wire "${text}".`, `${didYouMean(dev, names)}Devices: ${names.join(', ')}.`);
          ok = false;
        } else {
          skip = true; // the device has errors of its own: don't pile on
        }
        break;
      }
      if (!pins.inputs.includes(pin) && !pins.outputs.includes(pin)) {
        fail(`${dev} has no pin "${pin}".`, `${didYouMean(pin, [...pins.outputs, ...pins.inputs])}${pinList(dev, pins)}`);
        ok = false;
        break;
      }
      ends.push({ device: dev, pin });
    }
    if (!ok || skip) continue;

    const [from, to] = ends;
    const fromPins = pinsOf(from.device)!;
    const toPins = pinsOf(to.device)!;
    const fromIsOut = fromPins.outputs.includes(from.pin);
    const toIsIn = toPins.inputs.includes(to.pin);
    if (!fromIsOut) {
      const swap = fromPins.inputs.includes(from.pin) && toPins.outputs.includes(to.pin);
      fail(
        `${left} is an input: a wire runs from an output to an input.`,
        swap ? `Swap the two sides: "${right} -> ${left}".` : `Start it at an output of ${from.device}: ${list(fromPins.outputs)}.`,
      );
      continue;
    }
    if (!toIsIn) {
      fail(`${right} is an output: a wire runs from an output to an input.`, `End it at an input of ${to.device}: ${list(toPins.inputs)}.`);
      continue;
    }
    const key = `${to.device}.${to.pin}`;
    const first = drivers.get(key);
    if (first) {
      const free = toPins.inputs.filter((p) => !drivers.has(`${to.device}.${p}`) && p !== to.pin);
      fail(
        `input ${key} is driven twice (a line with two drivers): by "${first.value}" at ${displayPos(posAt(first.at.src, first.at.path))} and by this wire.`,
        `An input has one driver: remove one of the wires${free.length ? `, or use a free input of ${to.device}: ${free.join(', ')}` : ''}.`,
      );
      continue;
    }
    drivers.set(key, wire);
    out.push({ from, to, pos: posAt(wire.at.src, wire.at.path) });
  }
  return out;
}
