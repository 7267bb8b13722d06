// Trace records, schema v2 (docs/trace.md, docs/trace.schema.json; DESIGN §7). Every bus event a user may want to follow is one record:
// { v, t (machine ns), seq (global order), kind, src, ...fields }. Kind names follow QEMU's trace
// events where one exists so logs can be compared with `qemu -trace`.

// v2: irq.level/pic.intr carry `state` (was `level`) and machine.start `clock` (was `time`):
// pino's reserved keys, which pino-pretty hid.
export const TRACE_SCHEMA_VERSION = 2;

export interface TraceRecord {
  readonly v: number;
  /** Machine time in ns. */
  readonly t: number;
  /** Global sequence number: total order across all actors (causal within a synchronous call). */
  readonly seq: number;
  readonly kind: string;
  /** The actor that produced it ("cpu", "pic1", "bus", ...). */
  readonly src: string;
  readonly [field: string]: unknown;
}

export type TraceFields = Record<string, string | number | boolean | null | undefined>;

/** The kinds this project emits, with their fields, for docs, filters and --log-filter checks. */
export const TRACE_KINDS: Readonly<Record<string, string>> = {
  'io.read': 'port read by the CPU {port, size, value, device, reg}',
  'io.write': 'port write by the CPU {port, size, value, device, reg}',
  'io.unclaimed': 'first access to a port no device claims {port, size, dir}; reads return all ones',
  'mmio.read': 'memory-mapped register read by the CPU {addr, size, value, device, reg}',
  'mmio.write': 'memory-mapped register write by the CPU {addr, size, value, device, reg}',
  'mmio.unclaimed': 'first access to a page above RAM no device claims {addr, size, dir, value}; reads return all ones',
  'apic.message': 'an APIC bus message {type, vector, trigger?, dest?, dest_mode?}; type eoi: an EOI broadcast',
  'lapic.eoi': 'local APIC EOI {vector, trigger}',
  'lapic.timer': 'local APIC timer reached zero {vector, mode, masked, count}',
  'lapic.spurious': 'local APIC INTA found nothing: the spurious vector {vector}',
  'ioapic.eoi': 'an EOI broadcast cleared remote IRR {pin, vector}',
  'irq.level': 'a wire changed level {line, state}',
  'irq.coalesced': 'output edges of a device merged because machine time jumped past them (host lag) {line, count}',
  'pic.intr': 'a PIC INT output changed {chip, state}',
  'pic.eoi': 'end of interrupt {chip, irq, mode}',
  'pic.spurious': 'spurious IRQ 7/15 {chip, vector}',
  'cpu.inta': 'interrupt acknowledge cycle {vector}',
  'cpu.int': 'interrupt/exception delivered through the IDT {vector, handler, ist?, rsp (the frame), depth}',
  'cpu.iret': 'a handler returned (iretq) {vector, duration (ns since its entry), depth}',
  'cpu.syscall': 'syscall from ring 3 entered the kernel {nr (RAX), rip (the return address)}',
  'cpu.sysret': 'sysretq back to ring 3 {nr, result (RAX), duration (ns since its syscall)}',
  'cpu.switch': 'context switch: the CPU passed between guest threads {from, to (host thread handles, 0 = boot)}',
  'cpu.exception': 'exception raised {vector, error_code, cr2?}',
  'cpu.double_fault': 'double fault',
  'cpu.triple_fault': 'triple fault: reset or exit',
  'cpu.hlt': 'CPU halted {if}',
  'cpu.wake': 'CPU left hlt',
  'cpu.idle': 'CPU idles for good (IF=0 spin or hlt): nothing can change the machine any more',
  'cpu.deadlock': 'CPU spins on a lock with IF=0: nothing can release it {rip, detail}',
  'cpu.lidt': 'IDT register loaded {base, limit}',
  'cpu.tlb_flush': 'TLB flushed {cause: cr3|invlpg, addr?}',
  'cpu.page_fault': 'page fault {addr, error_code}',
  'machine.reset': 'the machine reset (triple fault) {why, count}',
  'ps2.cmd': 'a command to the 8042 or the keyboard {target: controller|keyboard, cmd, arg?}',
  'ps2.data': 'a byte between host and 8042/device {dir: to-host|to-device, value, source: keyboard|aux|controller}',
  'kbd.key': 'a host key event became scancode bytes {key, action: make|break, bytes, dropped?, reason?}',
  'serial.read': 'a 16550 register read {offset, reg, value}',
  'serial.write': 'a 16550 register write {offset, reg, value}',
  'serial.tx': 'a byte sent on the serial line {byte}',
  'serial.rx': 'a byte received on the serial line {byte}',
  'serial.rx.drop': 'a received byte lost (loopback, or the FIFO full) {byte, reason}',
  'serial.params': 'line parameters changed {baud, parity, data_bits, stop_bits}',
  'debugexit.write': 'isa-debug-exit written: the machine exits {value, status}',
  'debugexit.ignored': 'a later isa-debug-exit write (the first one counts) {value}',
  'machine.start': 'the machine started {machine, kernel?, driver?, clock}',
  'machine.stop': 'the machine stopped {reason}',
  'qtest.cmd': 'a qtest command line, before it runs {cmd}',
  'actor.crash': 'a device model threw or outgrew its memory limit {actor, error, op, action: halt|restart|give-up, from?: snapshot|reset, message?}',
  'device.bad_value': 'a device model returned nonsense, once per device and op; the machine carries on {device, op, value, outcome}',
  guest_error: 'the guest did something hardware would not accept {message}',
  unimplemented: 'the guest used a feature this model lacks {message}',
};
