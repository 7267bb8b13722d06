// `actorpc run FILE`: boot a machine, show it (full screen or headless), stop it as the flags say.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadMachine } from '../config/load.js';
import { formatDuration } from '../config/units.js';
import type { MachineSpec } from '../config/spec.js';
import { createFrontEnd, type FrontEnd } from '../frontends.js';
import { Machine, type MachineResult } from '../machine.js';
import { openTraceLog, type TraceLog } from '../trace-log.js';
import { TerminalUi } from '../ui/terminal-ui.js';
import { statusLine } from '../ui/status.js';
import type { RunArgs } from './args.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_TIMEOUT, UsageError } from './usage.js';
import { loadInputScript } from '../input/script.js';
import { terminalKeys } from '../input/terminal.js';
import { typeText } from '../input/keymap.js';
import { loadDeviceModule } from '../device-registry.js';
import { KERNEL_MAINS } from '../../kernel/mains.js';

export interface RunOutcome {
  readonly status: number;
  readonly screen?: string;
}

/** Apply command-line overrides to the loaded machine. */
export function withOverrides(spec: MachineSpec, args: RunArgs, headless: boolean): MachineSpec {
  return {
    ...spec,
    time: args.time ? { ...spec.time, mode: args.time } : spec.time,
    devices: spec.devices.map((d) => (headless && d.adapter === 'terminal' ? { ...d, adapter: 'headless' } : d)),
  };
}

export async function runCommand(args: RunArgs): Promise<RunOutcome> {
  const headless = args.headless || !process.stdout.isTTY || !process.stdin.isTTY;
  const spec = withOverrides(await loadMachine(args.file!), args, headless);
  if (args.printConfig) {
    const kernel = KERNEL_MAINS[spec.kernel.main];
    process.stdout.write(`# kernel ${spec.kernel.main}: ${kernel?.title ?? '?'}\n${stringify(spec)}`);
    return { status: EXIT_OK };
  }
  const [stopAt, stopReason] =
    args.forNs !== undefined && (args.timeoutNs === undefined || args.forNs <= args.timeoutNs)
      ? [args.forNs, 'for' as const]
      : [args.timeoutNs ?? Infinity, 'timeout' as const];

  let ui: TerminalUi | undefined;
  // Serial output meant for stdout while the full-screen UI owns the terminal: shown after it.
  const deferredChunks: Uint8Array[] = [];
  const deferred = { write: (c: Uint8Array) => deferredChunks.push(c) };
  let quitWhy: string | undefined;
  let machine: Machine | undefined;
  const quit = (why: string) => {
    quitWhy ??= why;
    machine?.stop();
  };
  const modules = await Promise.all(spec.devices.map((d) => loadDeviceModule(d.module)));
  const keyboard = spec.devices.find((_, i) => modules[i].input === 'keyboard');
  const serialPort = spec.devices.find((_, i) => modules[i].kind === 'uart16550');
  const script = args.input !== undefined ? loadInputScript(args.input) : undefined;
  const scriptKeys = script?.filter((e) => !e.bytes) ?? [];
  const scriptSerial = script?.filter((e) => e.bytes) ?? [];
  if ((args.type !== undefined || scriptKeys.length > 0) && !keyboard) {
    throw new UsageError(`${args.type !== undefined ? '--type' : '--input'} needs a keyboard in the machine: ${spec.file} has no device that takes key input (add e.g. kbd: { impl: i8042 } and the wire kbd.irq1 -> pic1.ir1).`);
  }
  if (scriptSerial.length > 0 && !serialPort) {
    throw new UsageError(`--input ${args.input} has serial: steps, but ${spec.file} has no serial port (add e.g. com1: { impl: uart16550 } and the wire com1.irq -> pic1.ir4).`);
  }
  if (!headless) {
    ui = new TerminalUi({
      onQuit: quit,
      onGuestKeys: keyboard?.adapter === 'terminal' ? (text) => machine?.input(keyboard.name, terminalKeys(text)) : undefined,
    });
  }
  let log: TraceLog | undefined;
  const frontEnds: FrontEnd[] = [];
  let statusTimer: NodeJS.Timeout | undefined;
  let matchedScreen: string | undefined;
  let idleForever = false;
  let deadlock: string | undefined;
  try {
    ui?.start();
    machine = await Machine.start(spec, { stopAt, stopReason, trace: args.log !== undefined || args.pretty, holdForInput: args.type !== undefined });
    const m = machine;
    if (keyboard && scriptKeys.length) m.input(keyboard.name, scriptKeys);
    if (serialPort && scriptSerial.length) m.input(serialPort.name, scriptSerial);
    if (keyboard && args.type !== undefined) {
      const typed = typeText(args.type);
      if (typed.unknown.length) throw new UsageError(`--type: a US keyboard cannot type ${JSON.stringify(typed.unknown.join(''))}; use --input with key: steps for special keys.`);
      m.ready$.subscribe(() => {
        m.input(keyboard.name, typed.events);
        m.releaseInput();
      });
    }
    if (args.log !== undefined || args.pretty) log = openTraceLog(m.trace$, { file: args.log, pretty: args.pretty, filter: args.logFilter });
    for (const d of spec.devices) {
      const fe = createFrontEnd(d, m.modules.get(d.name)!.kind, { terminal: ui?.sink, deferredStdout: ui ? deferred : undefined });
      if (fe) frontEnds.push(fe);
    }
    const display = frontEnds.find((f) => f.display)?.display;
    m.events$.subscribe((e) => {
      for (const fe of frontEnds) if (fe.device === e.device) fe.onEvent(e);
      if (args.until !== undefined && matchedScreen === undefined && display?.screen.contains(args.until)) {
        matchedScreen = display.screen.text();
        // performance.now() counts from process start: ACTORPC_TIMINGS=1 reports boot latency.
        if (process.env.ACTORPC_TIMINGS) process.stderr.write(`actorpc: "${args.until}" on screen ${performance.now().toFixed(1)} ms after process start\n`);
        m.stop();
      }
    });
    m.idleForever$.subscribe((e) => {
      idleForever = true;
      if (e.why === 'deadlock') deadlock = e.detail;
      // Nothing can change the machine any more: a run nobody watches ends now.
      if (!ui) m.stop();
      else ui.setNotice(e.why === 'deadlock' ? `DEADLOCK: ${e.detail}` : 'CPU idle for good (IF=0): the machine cannot change any more');
    });
    m.resets$.subscribe((e) => {
      const text = `triple fault → machine reset #${e.count} at t=${(e.t / 1e9).toFixed(6)}s (${e.why})`;
      if (ui) ui.setNotice(text);
      else if (e.count <= 3) process.stderr.write(`actorpc: ${text}\n`);
    });
    if (ui) {
      const draw = () => ui!.status(statusLine(m, spec));
      draw();
      statusTimer = setInterval(draw, 250);
    }
    const result = await m.result!;
    const screen = matchedScreen ?? display?.screen.text();
    return { status: exitStatus(result, args, matchedScreen !== undefined, idleForever, quitWhy), screen };
  } finally {
    if (statusTimer) clearInterval(statusTimer);
    for (const fe of frontEnds) fe.close();
    ui?.restore();
    if (deferredChunks.length) {
      process.stdout.write('--- serial output ---\n');
      for (const c of deferredChunks) process.stdout.write(c);
    }
    await log?.close();
  }

  function exitStatus(result: MachineResult, a: RunArgs, matched: boolean, idle: boolean, why: string | undefined): number {
    if (deadlock !== undefined && !matched) {
      process.stderr.write(`actorpc: deadlock detected: ${deadlock}. The machine is frozen; it was stopped.\n`);
      return EXIT_FAILURE;
    }
    if (result.reason === 'boot-loop') {
      process.stderr.write(`actorpc: boot loop: ${result.cpu?.resets} triple faults in a row; stopped. Set no_reboot: true to exit at the first (as QEMU -no-reboot), and --log to see the fault chain.\n`);
      return EXIT_FAILURE;
    }
    if (result.reason === 'triple-fault') {
      process.stderr.write('actorpc: triple fault: no_reboot is set, so the machine exits with status 0 (as QEMU -no-reboot does)\n');
      return EXIT_OK;
    }
    if (result.crash) {
      process.stderr.write(`actorpc: actor "${result.crash.actor}" crashed: ${result.crash.error}\nA device or CPU model threw (a bug in the model, not something the guest did); the machine was stopped.\n`);
      return EXIT_FAILURE;
    }
    if (a.until !== undefined && !matched) {
      if (result.reason === 'timeout') {
        process.stderr.write(`actorpc: timed out after ${formatDuration(a.timeoutNs!)} of machine time before "${a.until}" appeared on the screen\n`);
        return EXIT_TIMEOUT;
      }
      if (idle) {
        process.stderr.write(`actorpc: the CPU idles for good (interrupts off) and "${a.until}" is not on the screen: it never will be\n`);
        return EXIT_FAILURE;
      }
      if (result.reason === 'for' || why) return EXIT_FAILURE;
    }
    if (result.reason === 'timeout') {
      process.stderr.write(`actorpc: timed out after ${formatDuration(a.timeoutNs!)} of machine time\n`);
      return EXIT_TIMEOUT;
    }
    if (result.reason === 'exit') return result.status;
    return EXIT_OK;
  }
}

export function writeScreen(file: string, screen: string): void {
  writeFileSync(file, screen + '\n');
}
