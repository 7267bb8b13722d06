// The script input adapter: a YAML/JSON timeline of typed text and key events at machine times.
//
//   - at: 500ms            # machine time since power-on
//     type: hello world    # text: press/release per character, Shift as needed
//   - at: 2s
//     key: ArrowUp         # press and release a named key (pc-keyboard KeyCode name)
//   - at: 3s
//     key: LShift
//     action: down         # press | down | up
//   - at: 4s
//     serial: "hello\n"     # bytes on the serial port's input (the first UART)
//   - at: 5s
//     serial: "AT\r"
//     uart: com2           # ... or on the UART named so in the machine
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { QueuedInput } from '../../bus/input-ring.js';
import { parseDuration } from '../config/units.js';
import { didYouMean } from '../config/suggest.js';
import { sentence, UsageError } from '../cli/usage.js';
import { KEY_NAMES, pressKey, typeText } from './keymap.js';

const Step = z.strictObject({
  at: z.union([z.string(), z.number()]),
  type: z.string().optional(),
  key: z.string().optional(),
  action: z.enum(['press', 'down', 'up']).optional(),
  serial: z.string().optional(),
  uart: z.string().min(1).optional(),
});

/** A script's event; serial bytes may name the UART they arrive on (default: the machine's first). */
export type ScriptInput = QueuedInput & { readonly uart?: string };

/** Absolute-time key events for the script in `file`. Mistakes are UsageErrors naming file:line:column. */
export function loadInputScript(file: string): ScriptInput[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--input ${file}: cannot read it (${(err as Error).message}). Give a YAML or JSON list of steps such as "- at: 1s\n  type: hello".`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const where = (node: unknown) => {
    const range = (node as { range?: [number, number] } | undefined)?.range;
    const pos = range ? lines.linePos(range[0]) : { line: 1, col: 1 };
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError(`${file}:${pos.line}:${pos.col}: YAML syntax error: ${sentence(message)} Fix the YAML syntax there.`);
  }
  let steps: unknown;
  try {
    steps = doc.toJS();
  } catch (err) {
    // yaml refuses aliases that expand too far ("billion laughs"): the script's mistake, not ours.
    throw new UsageError(`${file}: the YAML cannot be read as data (${(err as Error).message.replace(/\.$/, '')}). Write the steps out instead of nesting aliases.`);
  }
  if (!Array.isArray(steps)) throw new UsageError(`${where(doc.contents)}: an input script is a list of steps, e.g. "- at: 1s\n  type: hello".`);
  const out: ScriptInput[] = [];
  steps.forEach((raw, i) => {
    const node = doc.getIn([i], true);
    const parsed = Step.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const what =
        issue.code === 'unrecognized_keys'
          ? `unknown key "${issue.keys[0]}". ${didYouMean(issue.keys[0], ['at', 'type', 'key', 'action', 'serial', 'uart'])}`
          : `${issue.path.join('.') || 'step'}: ${sentence(issue.message)} `;
      throw new UsageError(`${where(node)}: step ${i + 1}: ${what}A step has at: (machine time) and type: TEXT, key: NAME [action: press|down|up] or serial: TEXT.`);
    }
    const step = parsed.data;
    let at: number;
    try {
      at = typeof step.at === 'number' ? step.at : parseDuration(step.at);
    } catch (err) {
      throw new UsageError(`${where(doc.getIn([i, 'at'], true))}: step ${i + 1}, at: ${sentence((err as Error).message)} Write a machine time such as 1.5s or 200ms.`);
    }
    if ([step.type, step.key, step.serial].filter((v) => v !== undefined).length !== 1) {
      throw new UsageError(`${where(node)}: step ${i + 1} needs exactly one of type: TEXT, key: NAME or serial: TEXT.`);
    }
    if (step.uart !== undefined && step.serial === undefined) {
      throw new UsageError(`${where(doc.getIn([i, 'uart'], true))}: step ${i + 1}: uart: names the serial port of a serial: step; add serial: TEXT or remove uart:.`);
    }
    if (step.serial !== undefined) {
      out.push({ key: '', down: true, at, bytes: [...new TextEncoder().encode(step.serial)], ...(step.uart !== undefined ? { uart: step.uart } : {}) });
    } else if (step.type !== undefined) {
      const typed = typeText(step.type, at);
      if (typed.unknown.length) throw new UsageError(`${where(doc.getIn([i, 'type'], true))}: step ${i + 1}: a US keyboard cannot type ${JSON.stringify(typed.unknown.join(''))}. Use key: steps for special keys.`);
      for (const e of typed.events) out.push({ key: e.key, down: e.down, at: e.delay });
    } else {
      const key = step.key!;
      if (!KEY_NAMES.includes(key)) throw new UsageError(`${where(doc.getIn([i, 'key'], true))}: step ${i + 1}: unknown key "${key}". ${didYouMean(key, KEY_NAMES)}Key names are pc-keyboard's: A, Key1, Spacebar, Return, LShift, ArrowUp, F1…`);
      const action = step.action ?? 'press';
      if (action === 'press') for (const e of pressKey(key, at)) out.push({ key: e.key, down: e.down, at: e.delay });
      else out.push({ key, down: action === 'down', at });
    }
  });
  return out;
}
