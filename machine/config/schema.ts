// The zod schema of one machine file (what a single YAML file may contain, before `extends` is
// merged), and the JSON Schema made from it for editors (config/schema.json).
//
// Nothing here has a default: a file that extends another must not reset what the base set.
// Defaults are applied by load.ts after merging and are only documented here (`default` in meta).
// Checks that need device modules (ports, pins, options) are done by devices.ts and wires.ts;
// the JSON Schema still describes their form with patterns (meta: not enforced by zod).
import { z } from 'zod';
import { KERNEL_MAINS } from './kernels.js';
import { UnitError, formatDuration, parseDuration, parseSize } from './units.js';
import { DEFAULT_TIME_COSTS, TIME_COST_KEYS, type TimeCosts } from '../../bus/clock.js';

export const MIN_MEMORY = 1024 * 1024;
export const MAX_MEMORY = 4 * 1024 * 1024 * 1024;
export const MEMORY_ALIGN = 4096;

/** Instance names under `devices:`. */
export const INSTANCE_NAME = /^[a-z][a-z0-9_-]*$/;
/** `cpu` names the processor in wires. */
export const RESERVED_NAMES: readonly string[] = ['cpu'];

export const PLACEMENTS = ['worker', 'inline'] as const;
export const ON_CRASH = ['halt', 'restart'] as const;
export const TIME_MODES = ['realtime', 'virtual'] as const;
export const IDLE_MODES = ['adaptive', 'sleep', 'poll'] as const;
export const ALLOCATOR_KINDS = ['bump', 'linked-list', 'linked-list-allocator', 'fixed-size-block', 'buddy', 'dummy'] as const;

const PORT_NUMBER = '(0[xX][0-9a-fA-F]{1,4}|[0-9]{1,5})';
export const PORT_PATTERN = `^\\s*${PORT_NUMBER}(\\s*-\\s*${PORT_NUMBER})?\\s*$`;
const PIN = '[a-z][a-z0-9_-]*\\.[A-Za-z0-9_]+';
export const WIRE_PATTERN = `^\\s*${PIN}\\s*->\\s*${PIN}\\s*$`;

/** What a range check says of a value it refuses. */
type Problem = { message: string; hint: string } | undefined;

/**
 * A superRefine for a value written with units (a size, a duration): the unit parser's own error,
 * or else the range check's.
 */
function inUnits<T>(parse: (value: T) => number, check: (n: number, value: T) => Problem) {
  return (value: T, ctx: z.RefinementCtx): void => {
    let problem: Problem;
    try {
      problem = check(parse(value), value);
    } catch (err) {
      if (!(err instanceof UnitError)) throw err;
      problem = { message: err.message, hint: err.hint };
    }
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { hint: problem.hint } });
  };
}

const memory = z
  .union([z.number().meta({ minimum: MIN_MEMORY, maximum: MAX_MEMORY, multipleOf: MEMORY_ALIGN }), z.string().meta({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*(B|KiB|MiB|GiB)?\\s*$' })], {
    error: 'expected a size such as 128MiB or a number of bytes',
  })
  .superRefine(
    inUnits(parseSize, (bytes, value): Problem => {
      const hint = 'Memory is 1MiB to 4GiB, in whole 4KiB pages, e.g. 128MiB.';
      if (bytes < MIN_MEMORY) return { message: `${show(value)} is less than 1MiB.`, hint };
      if (bytes > MAX_MEMORY) return { message: `${show(value)} is more than 4GiB.`, hint };
      if (bytes % MEMORY_ALIGN === 0) return undefined;
      const down = Math.floor(bytes / MEMORY_ALIGN) * MEMORY_ALIGN;
      return {
        message: `${show(value)} is not a whole number of 4KiB pages.`,
        hint: `Round it to ${down} or ${down + MEMORY_ALIGN} bytes, or write a size such as 128MiB.`,
      };
    }),
  )
  .meta({
    description: 'Installed RAM: bytes, or a size with unit B|KiB|MiB|GiB; 1MiB..4GiB, a multiple of 4KiB.',
    examples: ['128MiB', '32MiB'],
  });

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : String(v));

/** What each time.costs key charges (docs/time.md gives the sources of the defaults). */
const COST_MEANING: Readonly<Record<keyof TimeCosts, string>> = {
  instruction: 'any instruction not in another class',
  memory: 'a load or store (an L1/L2 cache hit)',
  io: 'a port access (in/out) on the ISA/LPC bus',
  inta: "an external interrupt's acknowledge cycles (8259A on the ISA bus)",
  delivery: 'delivery of an interrupt or exception through the IDT',
  iret: 'iretq at the end of a handler',
};

/** time.costs: machine time per instruction class in virtual time, each a duration 0..1s. */
const timeCosts = z
  .strictObject(
    Object.fromEntries(
      TIME_COST_KEYS.map((key) => [
        key,
        // A bare 0 is a duration too ("nothing"); any other number needs its unit.
        z
          .union([z.literal(0), z.string()], { error: `expected a duration with a unit, e.g. ${formatDuration(DEFAULT_TIME_COSTS[key])}` })
          .superRefine(
            inUnits((v: string | 0) => parseDuration(String(v)), (ns, value) =>
              ns > 1e9 ? { message: `${show(value)} is more than 1s for one instruction.`, hint: `Write a duration from 0 to 1s; the default is ${formatDuration(DEFAULT_TIME_COSTS[key])}.` } : undefined,
            ),
          )
          .meta({ description: `Virtual time charged for ${COST_MEANING[key]}.`, default: formatDuration(DEFAULT_TIME_COSTS[key]), examples: [formatDuration(DEFAULT_TIME_COSTS[key])] }),
      ]),
    ) as unknown as Record<keyof TimeCosts, z.ZodType<string | 0>>,
  )
  .partial()
  .meta({ description: 'Virtual mode: machine time each instruction class costs (docs/time.md); realtime ignores it (the host clock is the time).' });

const portValue = z
  .union([z.int().meta({ minimum: 0, maximum: 0xffff }), z.string().meta({ pattern: PORT_PATTERN })], {
    error: 'expected a port number such as 0x3d4 or a range such as "0x3d4-0x3d5"',
  })
  .meta({ description: 'Base port (0..0xffff), or a range "first-last" whose size equals the region size.', examples: ['0x3d4', '0x3d4-0x3d5'] });

export const MMIO_PATTERN = '^\\s*(0[xX][0-9a-fA-F]{1,13}|[0-9]{1,16})\\s*$';
const mmioValue = z
  .union([z.int().meta({ minimum: 0 }), z.string().meta({ pattern: MMIO_PATTERN })], {
    error: 'expected a physical address such as 0xfee00000',
  })
  .meta({ description: 'Physical base address of the region; it must lie above installed RAM.', examples: ['0xfee00000', '0xfec00000'] });

/** on_crash: halt | restart | { restart: N, within: DURATION } (restarts allowed within that much machine time). */
const onCrash = z
  .union(
    [
      z.enum(ON_CRASH),
      z.strictObject({
        restart: z.int().min(1).max(1000).meta({ description: 'Restarts allowed within the window; the crash after them halts the machine.' }),
        within: z
          .string()
          .superRefine(inUnits(parseDuration, (ns, value) => (ns <= 0 ? { message: `must be longer than 0, got "${value}".`, hint: 'Write e.g. within: 1s.' } : undefined)))
          .optional()
          .meta({ description: 'The window, in machine time (default 1s).', examples: ['1s', '500ms'] }),
      }),
    ],
    { error: 'expected halt, restart, or { restart: N, within: DURATION }' },
  )
  .meta({
    description:
      'When the device throws (a bug in its model): halt the machine, or restart the device (from its last good snapshot, else from reset). restart allows 5 restarts within 1s of machine time; { restart: N, within: DURATION } sets that budget. One crash more and the machine halts.',
    default: 'halt',
    examples: ['halt', 'restart', '{ restart: 5, within: 1s }'],
  });

/** limits: what a device may use of the host. */
const limits = z
  .strictObject({
    memory: z
      .union([z.int().meta({ minimum: 1024 * 1024 }), z.string().meta({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*(B|KiB|MiB|GiB)?\\s*$' })], {
        error: 'expected a size such as 512MiB or a number of bytes',
      })
      .superRefine(
        inUnits(parseSize, (bytes, value) =>
          bytes < 1024 * 1024 || bytes > 64 * 1024 * 1024 * 1024 ? { message: `${show(value)} is outside 1MiB..64GiB.`, hint: 'Write e.g. memory: 512MiB.' } : undefined,
        ),
      )
      .meta({
        description:
          "Host memory the device may grow its thread by (JS heap + Buffers/ArrayBuffers), checked every few thousand calls; past it the machine stops naming the device. Default 512MiB.",
        examples: ['512MiB', '64MiB'],
      }),
  })
  .partial()
  .meta({ description: 'Host resources the device may use.' });

const device = z
  .strictObject({
    impl: z.string().min(1).meta({
      description: 'Built-in device name (e.g. vga), or the path of your own device module, relative to this file (./my-device.mjs).',
    }),
    placement: z
      .union([z.string().meta({ enum: [...PLACEMENTS] }), z.strictObject({ worker: z.string().regex(/^[A-Za-z_][\w-]*$/, 'a group name: letters, digits, _ and -') })], {
        error: 'expected inline, worker, or { worker: GROUP }',
      })
      // A mistyped word gets the enum's answer ("did you mean", the allowed values), not the union's.
      .superRefine((value, ctx) => {
        if (typeof value === 'string' && !(PLACEMENTS as readonly string[]).includes(value)) {
          ctx.addIssue({ code: 'invalid_value', values: [...PLACEMENTS], input: value, message: `"${value}" is not a placement` });
        }
      })
      .meta({
        description:
          'Which thread hosts the device: inline (the CPU thread; fastest for chatty chipset devices), worker (a thread of its own), or { worker: GROUP } (one worker thread shared by every device naming GROUP).',
        default: 'inline',
      }),
    on_crash: onCrash,
    ports: z
      .record(z.string(), portValue)
      .meta({ description: 'Per region of the device: where it sits in I/O port space. Regions not listed keep their default base.' }),
    mmio: z
      .record(z.string(), mmioValue)
      .meta({ description: 'Per memory-mapped region of the device: its physical base address (above installed RAM). Regions not listed keep their default base.' }),
    adapter: z.string().min(1).meta({ description: "Front end for devices that have one (VGA: terminal | headless). Default: the module's first." }),
    options: z.record(z.string(), z.unknown()).meta({ description: "Device-specific settings, checked by the module's own schema.", default: {} }),
    limits,
  })
  .partial()
  .meta({ description: 'A device instance. null (~) removes an instance inherited through extends.' });

/** The zod schema of one machine file. `kernelMains`: accepted `kernel.main` values. */
export function machineFileSchema(kernelMains: readonly string[] = KERNEL_MAINS) {
  const mains = kernelMains.length > 0 ? (kernelMains as [string, ...string[]]) : (['post-03'] as [string]);
  return z
    .strictObject({
      name: z.string().min(1).meta({ description: 'Machine name; default: the file name without .yaml.' }),
      extends: z.string().min(1).meta({ description: 'Another machine file this one builds on, relative to this file.' }),
      memory,
      time: z
        .strictObject({
          mode: z.enum(TIME_MODES).meta({ description: 'realtime: machine time follows the host clock; virtual: it advances per instruction.', default: 'realtime' }),
          ns_per_instruction: z.number().positive().meta({ description: 'Virtual mode: machine nanoseconds charged per plain instruction (the older spelling of costs.instruction, which wins when both are given).', default: 1 }),
          costs: timeCosts,
          idle: z.enum(IDLE_MODES).meta({ description: 'Realtime: how a halted CPU waits. adaptive: poll the wake word for a window learned as KVM learns halt_poll_ns (grows ×2 when a wake-up came just after it, shrinks ÷2 after halts longer than its 200 µs cap), then Atomics.wait; sleep: Atomics.wait only (cheap; wake-ups can take ms after long idles); poll: always spin on the wake word (µs wake-ups, costs a host core).', default: 'adaptive' }),
        })
        .partial(),
      watchdog: z
        .string()
        .superRefine(
          inUnits(parseDuration, (ns, value) => (ns < 1e8 || ns > 3600e9 ? { message: `must be between 100ms and 1h, got ${value}`, hint: 'Write e.g. watchdog: 10s.' } : undefined)),
        )
        .meta({
          description:
            'Host time a device may take to answer one request before the machine is stopped and the device named as hung (both placements; the only host-time limit there is).',
          default: '10s',
          examples: ['10s', '2s'],
        }),
      no_reboot: z.boolean().meta({ description: 'On a triple fault, exit with status 0 instead of resetting (QEMU -no-reboot).', default: false }),
      kernel: z
        .strictObject({
          main: z.enum(mains).meta({ description: 'Which kernel entry point runs.' }),
          scenario: z.string().min(1).meta({ description: 'A scenario of that kernel (checked by the kernel).' }),
          allocator: z.enum(ALLOCATOR_KINDS).meta({ description: "The kernel's heap allocator (default: the post's: 10 linked-list-allocator, 11+ fixed-size-block; dummy: post 10's Dummy, every allocation fails)." }),
          timeslice: z
            .string()
            .superRefine(inUnits(parseDuration, (ns, value) => (ns < 1e5 || ns > 1e9 ? { message: `must be between 100us and 1s, got ${value}`, hint: 'Write e.g. timeslice: 10ms.' } : undefined)))
            .meta({ description: "A preempting kernel's time slice: how often the APIC timer interrupts a running thread (kernel.main: preemption).", default: '10ms', examples: ['10ms', '1ms'] }),
        })
        .partial(),
      cpu: z
        .strictObject({
          threads: z.number().int().min(0).max(64).meta({ description: 'Host threads (workers) for guest threads the kernel creates besides its boot thread: each guest thread runs on a host thread of its own, and the CPU passes between them at a context switch. 0: the kernel cannot create threads.', default: 0 }),
        })
        .partial(),
      devices: z
        .record(z.string().regex(/^(?!cpu$)[a-z][a-z0-9_-]*$/), device.nullable())
        .meta({ description: 'Device instances by name ([a-z][a-z0-9_-]*, not "cpu").' }),
      wires: z
        .array(z.string().meta({ pattern: WIRE_PATTERN, examples: ['pit.out0 -> pic1.ir0', 'pic1.int -> cpu.intr'] }))
        .meta({ description: 'Signal lines, "device.pin -> device.pin", from an output to an input; cpu.intr is the CPU interrupt input.' }),
    })
    .partial()
    .meta({ title: 'actorpc machine', description: 'A PC made of device actors: memory, time, kernel, devices and the wires between them.' });
}

export type MachineFileSchema = ReturnType<typeof machineFileSchema>;
/** What one machine file contains (also the shape of loadMachine's overrides). */
export type MachineFile = z.input<MachineFileSchema>;

/** config/schema.json as it should be now. */
export function machineJsonSchemaText(kernelMains: readonly string[] = KERNEL_MAINS): string {
  const schema = z.toJSONSchema(machineFileSchema(kernelMains), { target: 'draft-7', unrepresentable: 'any' });
  return JSON.stringify(schema, null, 2) + '\n';
}

// --- walking a zod schema by key path (works for any zod 4 schema, including modules' own) ----

interface ZodLike {
  _zod?: { def?: Record<string, unknown> & { type?: string } };
}

function unwrap(schema: ZodLike | undefined): ZodLike | undefined {
  for (let i = 0; schema && i < 20; i++) {
    const def = schema._zod?.def;
    if (!def) return undefined;
    switch (def.type) {
      case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly':
      case 'nonoptional': case 'catch': case 'success':
        schema = def.innerType as ZodLike;
        break;
      case 'pipe':
        schema = def.in as ZodLike;
        break;
      case 'lazy':
        schema = (def.getter as () => ZodLike)();
        break;
      default:
        return schema;
    }
  }
  return schema;
}

/** The schema at `path` inside `schema` (objects, records, arrays, tuples), or undefined. */
export function schemaAt(schema: unknown, path: readonly PropertyKey[]): unknown {
  let s = unwrap(schema as ZodLike);
  for (const seg of path) {
    const def = s?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object') s = (def.shape as Record<string, ZodLike>)[String(seg)] ?? (def.catchall as ZodLike | undefined);
    else if (def.type === 'record') s = def.valueType as ZodLike;
    else if (def.type === 'array') s = def.element as ZodLike;
    else if (def.type === 'tuple') s = (def.items as ZodLike[])[Number(seg)] ?? (def.rest as ZodLike | undefined);
    else return undefined;
    s = unwrap(s);
  }
  return s;
}

/** Keys of the object schema at `path`, and whether unknown keys are dropped silently. */
export function objectKeysAt(schema: unknown, path: readonly PropertyKey[]): { keys: string[]; strips: boolean } | undefined {
  const def = (schemaAt(schema, path) as ZodLike | undefined)?._zod?.def;
  if (def?.type !== 'object') return undefined;
  return { keys: Object.keys(def.shape as object), strips: def.catchall === undefined };
}
