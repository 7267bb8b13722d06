// docs/trace.schema.json against what the machine really emits: every record of a boot of every
// post, every kernel scenario and every kernel test suite (virtual time, typed keys where there
// is a keyboard) must validate — an unknown kind or an unknown field fails. The schema, the kind
// table (bus/trace.ts) and docs/trace.md must name the same kinds.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { TRACE_KINDS, TRACE_SCHEMA_VERSION, type TraceRecord } from '../../bus/trace.js';
import { KERNEL_MAINS } from '../../kernel/mains.js';
import { typeText } from '../../machine/input/keymap.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const doc = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const schema = JSON.parse(readFileSync(doc('trace.schema.json'), 'utf8')) as { properties: { v: { const: number }; kind: { enum: string[] } } };
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

/** Every record that fails, with why (the first few). */
function invalid(records: readonly TraceRecord[]): string[] {
  const bad: string[] = [];
  for (const r of records) {
    if (!validate(r)) bad.push(`${JSON.stringify(r)}: ${validate.errors!.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; ')}`);
    if (bad.length >= 5) break;
  }
  return bad;
}

const MS = 1e6;
/** The machine file a kernel entry boots in: its post's, one named after it, or the default. */
const machineOf = (main: string) =>
  [`posts/${main}.yaml`, `${main}.yaml`].find((f) => existsSync(configPath(f))) ?? 'default.yaml';
const posts = readdirSync(fileURLToPath(new URL('../../config/posts/', import.meta.url))).filter((f) => f.endsWith('.yaml')).sort();

interface Boot { name: string; file: string; main?: string; scenario?: string; forNs: number }
const boots: Boot[] = [
  ...posts.map((f) => ({ name: f, file: `posts/${f}`, forNs: 400 * MS })),
  ...Object.entries(KERNEL_MAINS).flatMap(([main, entry]) =>
    Object.keys(entry.scenarios).map((scenario) => ({ name: `${main} ${scenario}`, file: machineOf(main), main, scenario, forNs: 400 * MS }))),
  ...Object.keys(KERNEL_MAINS).filter((m) => m.startsWith('test-')).map((main) => ({ name: `kernel suite ${main}`, file: 'test.yaml', main, forNs: 5000 * MS })),
];

describe('docs/trace.schema.json', () => {
  it(`is schema v${TRACE_SCHEMA_VERSION} and names exactly the kinds of bus/trace.ts, each documented in docs/trace.md`, () => {
    expect(schema.properties.v.const).toBe(TRACE_SCHEMA_VERSION);
    expect([...schema.properties.kind.enum].sort()).toEqual(Object.keys(TRACE_KINDS).sort());
    const md = readFileSync(doc('trace.md'), 'utf8');
    for (const kind of Object.keys(TRACE_KINDS)) expect(md, kind).toContain(`\`${kind}\``);
  });

  it('refuses an unknown kind, an unknown field, a missing field and a wrong type', () => {
    const ok = { v: TRACE_SCHEMA_VERSION, t: 5, seq: 1, kind: 'irq.level', src: 'pit', line: 'pic1.ir0', state: 1 };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, kind: 'irq.leve' })).toBe(false);
    expect(validate({ ...ok, level: 1 })).toBe(false);
    const { state: _s, ...missing } = ok;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...ok, state: '1' })).toBe(false);
    expect(validate({ v: TRACE_SCHEMA_VERSION, t: 9, seq: 2, kind: 'cpu.iret', src: 'cpu', vector: 32, duration: 1500, depth: 1 })).toBe(true);
    expect(validate({ v: TRACE_SCHEMA_VERSION, t: 9, seq: 3, kind: 'irq.coalesced', src: 'pit', line: 'pic1.ir0', count: 3 })).toBe(true);
  });

  it.each(boots)('validates every record of $name (virtual time)', async (b) => {
    const spec = (s: MachineSpec): MachineSpec => ({ ...virtual(s), ...(b.main ? { kernel: { main: b.main, ...(b.scenario ? { scenario: b.scenario } : {}) } } : {}) });
    const keyboard = b.file !== 'test.yaml';
    const run = await runMachine(configPath(b.file), {
      trace: true, spec, stopAt: b.forNs, stopReason: 'for',
      keys: keyboard ? typeText('ab 1\n').events : undefined,
    });
    expect(run.traces.length).toBeGreaterThan(10);
    expect(invalid(run.traces)).toEqual([]);
  }, 120_000);
});
