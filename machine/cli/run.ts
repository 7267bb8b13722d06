// `actorpc run FILE`: boot a machine, show it (full screen or headless), stop it as the flags say.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadMachine } from '../config/load.js';
import { formatDuration } from '../config/units.js';
import type { MachineSpec } from '../config/spec.js';
import { createFrontEnd, serialLogPath, type FrontEnd } from '../frontends.js';
import { crashText, Machine, type MachineResult } from '../machine.js';
import { openTraceLog, type TraceLog } from '../trace-log.js';
import { TerminalUi } from '../ui/terminal-ui.js';
import { statusLine } from '../ui/status.js';
import type { RunArgs } from './args.js';
import { checkOutputPath } from './outputs.js';
import { prepareSession } from '../replay/run-session.js';
import { applySerialFlags, FLAG_LABEL, flagOverrides } from './machine-flags.js';
import { StopSignals } from './signals.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_TIMEOUT, EXIT_USAGE, UsageError } from './usage.js';
import { loadInputScript, type ScriptInput } from '../input/script.js';
import { terminalKeys } from '../input/terminal.js';
import { typeText } from '../input/keymap.js';
import { loadDeviceModule } from '../device-registry.js';
import { KERNEL_MAINS } from '../../kernel/mains.js';
import { attachAnalysis, runAnalysis, type AttachedAnalysis } from './analysis.js';
import { screendump } from '../screenshot.js';
import { WebView } from '../web/server.js';

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
  const spec = applySerialFlags(withOverrides(await loadMachine(args.file!, flagOverrides(args), FLAG_LABEL), args, headless), args.serial ?? []);
  const plan = runAnalysis(args, headless);
  if (args.printConfig) {
    const kernel = KERNEL_MAINS[spec.kernel.main];
    process.stdout.write(`# kernel ${spec.kernel.main}: ${kernel?.title ?? '?'}\n${stringify(spec)}`);
    return { status: EXIT_OK };
  }
  const [stopAt, stopReason] =
    args.forNs !== undefined && (args.timeoutNs === undefined || args.forNs <= args.timeoutNs)
      ? [args.forNs, 'for' as const]
      : [args.timeoutNs ?? Infinity, 'timeout' as const];
  // --monitor, --record, --replay, --stop-at (and the UI's Ctrl-A C monitor): machine/replay/run-session.ts.
  const session = prepareSession(args, spec, stopAt, stopReason, !headless);

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
  spec.devices.forEach((d, i) => {
    const path = serialLogPath(d, modules[i].kind, spec.name);
    if (path !== undefined) checkOutputPath(`the serial log of ${d.name} (adapter: file)`, path, `${spec.name}.${d.name}.serial.log`);
  });
  const script = args.input !== undefined ? loadInputScript(args.input) : undefined;
  const scriptKeys = script?.filter((e) => !e.bytes) ?? [];
  const scriptSerial = script?.filter((e) => e.bytes) ?? [];
  if ((args.type !== undefined || scriptKeys.length > 0) && !keyboard) {
    throw new UsageError(`${args.type !== undefined ? '--type' : '--input'} needs a keyboard in the machine: ${spec.file} has no device that takes key input (add e.g. kbd: { impl: i8042 } and the wire kbd.irq1 -> pic1.ir1).`);
  }
  for (const e of scriptSerial) {
    if (e.uart !== undefined && modules[spec.devices.findIndex((d) => d.name === e.uart)]?.kind !== 'uart16550') {
      const uarts = spec.devices.filter((_, i) => modules[i].kind === 'uart16550').map((d) => d.name);
      throw new UsageError(`--input ${args.input}: a serial: step names uart: ${e.uart}, but ${spec.file} has no serial port called so (serial ports: ${uarts.join(', ') || 'none'}).`);
    }
  }
  if (scriptSerial.some((e) => e.uart === undefined) && !serialPort) {
    throw new UsageError(`--input ${args.input} has serial: steps, but ${spec.file} has no serial port (add e.g. com1: { impl: uart16550 } and the wire com1.irq -> pic1.ir4).`);
  }
  const vgaDevice = spec.devices.find((_, i) => modules[i].kind === 'vga');
  if (args.screenshot !== undefined && !vgaDevice) throw new UsageError(`--screenshot ${args.screenshot}: ${spec.file} has no VGA display to take a picture of (add e.g. vga: { impl: vga, adapter: headless }).`);
  const typed = args.type !== undefined ? typeText(args.type) : undefined;
  if (typed?.unknown.length) throw new UsageError(`--type: a US keyboard cannot type ${JSON.stringify(typed.unknown.join(''))}; use --input with key: steps for special keys.`);
  // The web view listens before anything starts: a port in use is a usage error (status 2).
  const web = args.web !== undefined ? await WebView.listen(args.web) : undefined;
  if (web) process.stderr.write(`actorpc: web view at ${web.url} (127.0.0.1 only; closing the page leaves the machine running)\n`);
  if (!headless) {
    ui = new TerminalUi({
      onQuit: quit,
      onGuestKeys: keyboard?.adapter === 'terminal'
        ? (text) => {
          // A replay's keys come from its recording: say so rather than drop them unseen.
          if (machine?.replaying) return ui?.setNotice('replaying: keys come from the recording');
          machine?.input(keyboard.name, terminalKeys(text));
        }
        : undefined,
    });
  }
  const signals = new StopSignals((sig) => quit(sig)).install();
  // --log's runtime failures (disk full, a FIFO whose reader went away): stop, say so, exit 1.
  let logFailure: string | undefined;
  const logName = args.log !== undefined ? `--log ${args.log}` : '--pretty (stderr)';
  let log: TraceLog | undefined;
  const frontEnds: FrontEnd[] = [];
  let statusTimer: NodeJS.Timeout | undefined;
  let matchedScreen: string | undefined;
  let idleForever = false;
  let deadlock: string | undefined;
  let result: MachineResult;
  let screen: string | undefined;
  let analysis: AttachedAnalysis | undefined;
  let typedReleased = false;
  try {
    ui?.start();
    machine = await Machine.start(session.spec, { stopAt: session.stopAt, stopReason: session.stopReason, session: session.start, trace: args.log !== undefined || args.pretty || web !== undefined || plan.tracing, holdForInput: typed !== undefined });
    const m = machine;
    analysis = attachAnalysis(m, plan, spec.name);
    if (quitWhy) m.stop(); // a signal while the workers started
    if (keyboard && scriptKeys.length) m.input(keyboard.name, scriptKeys);
    for (const [uart, events] of serialByUart(scriptSerial, serialPort?.name)) m.input(uart, events);
    if (keyboard && typed) {
      m.ready$.subscribe(() => {
        typedReleased = true;
        m.input(keyboard.name, typed.events);
        m.releaseInput();
      });
    }
    if (args.log !== undefined || args.pretty) {
      log = openTraceLog(m.trace$, {
        file: args.log, pretty: args.pretty, filter: session.liveFilter(args.logFilter),
        onError: (message: string) => {
          logFailure ??= message;
          m.stop();
        },
      });
    }
    for (const d of spec.devices) {
      const fe = createFrontEnd(d, m.modules.get(d.name)!.kind, { terminal: ui?.sink, deferredStdout: ui ? deferred : undefined, machineName: spec.name }, m.modules.get(d.name));
      if (fe) frontEnds.push(fe);
    }
    const display = frontEnds.find((f) => f.display)?.display;
    web?.attach({ machine: m, name: spec.name, timeMode: spec.time.mode, vga: vgaDevice?.name, keyboard: keyboard?.name });
    if (ui && display?.redraw) ui.setRedraw(() => display.redraw!());
    const monitor = await session.attach(m, { quit: () => quit('the monitor\'s quit'), screendump: display ? (file) => screendump(display.screen, file, m.control.now) : undefined });
    if (ui && monitor) ui.setMonitor((line) => monitor.run(line));
    else if (ui && spec.cpu.threads > 0) ui.noMonitorBecause = 'no monitor: it does not yet follow the CPU onto guest-thread workers (cpu.threads)';
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
      if (!ui && !web) m.stop();
      else ui?.setNotice(e.why === 'deadlock' ? `DEADLOCK: ${e.detail}` : 'CPU idle for good (IF=0): the machine cannot change any more');
    });
    m.resets$.subscribe((e) => {
      const text = `triple fault → machine reset #${e.count} at t=${(e.t / 1e9).toFixed(6)}s (${e.why})`;
      if (ui) ui.setNotice(text);
      else if (e.count <= 3) process.stderr.write(`actorpc: ${text}\n`);
    });
    if (ui) {
      if (web) ui.setNotice(`web view: ${web.url}`);
      const draw = () => ui!.status(statusLine(m, spec));
      draw();
      statusTimer = setInterval(draw, 250);
    }
    result = await m.result!;
    screen = matchedScreen ?? display?.screen.text();
    // The final picture, with blink and cursor at the final machine time (the web view's too).
    if (args.screenshot !== undefined && display) screendump(display.screen, args.screenshot, m.control.now);
    web?.end(m.control.now, quitWhy ?? result.reason);
  } finally {
    if (statusTimer) clearInterval(statusTimer);
    await web?.close();
    for (const fe of frontEnds) fe.close();
    ui?.restore();
    session.close();
    if (deferredChunks.length) {
      process.stdout.write('--- serial output ---\n');
      for (const c of deferredChunks) process.stdout.write(c);
    }
    try {
      await log?.close();
    } catch (err) {
      logFailure ??= (err as Error).message;
    }
    signals.uninstall();
  }
  analysis?.finish(`${spec.name}, ${spec.time.mode}`, result?.cpu);
  // Said after the terminal is restored: in the full-screen UI's alternate screen it would be lost.
  return { status: exitStatus(result, matchedScreen !== undefined, machine.control.now), screen };

  function exitStatus(result: MachineResult, matched: boolean, t: number): number {
    const say = (text: string) => process.stderr.write(`actorpc: ${text}\n`);
    if (typed && keyboard && !typedReleased) {
      say(`--type: nothing was typed. Keys are held until the kernel first waits for input (a hlt with interrupts on), and this run's kernel never did (busy threads, a spin). Type at fixed machine times with --input instead (examples/typing.yaml).`);
    }
    if (result.cpu?.replayError) {
      say(`--replay ${result.cpu.message}. Replay a recording with the machine file it was recorded with.`);
      return EXIT_USAGE;
    }
    if (logFailure !== undefined) {
      say(`${logName}: ${logFailure}; the run was stopped.`);
      return EXIT_FAILURE;
    }
    if (signals.received && !matched) {
      say(`${signals.received}: the machine was stopped at t=${(t / 1e9).toFixed(6)}s (exit status ${signals.status}).`);
      return signals.status!;
    }
    if (deadlock !== undefined && !matched) {
      say(`deadlock detected: ${deadlock}. The machine is frozen; it was stopped.`);
      return EXIT_FAILURE;
    }
    if (result.reason === 'boot-loop') {
      say(`boot loop: ${result.cpu?.resets} triple faults in a row; stopped. Set no_reboot: true to exit at the first (as QEMU -no-reboot), and --log to see the fault chain.`);
      return EXIT_FAILURE;
    }
    if (result.reason === 'triple-fault' && args.until === undefined) {
      say('triple fault: no_reboot is set, so the machine exits with status 0 (as QEMU -no-reboot does).');
      return EXIT_OK;
    }
    if (result.crash) {
      say(`${crashText(result.crash)}\nA device or CPU model threw, hung or stalled (a bug in the model, not something the guest did); the machine was stopped.`);
      return EXIT_FAILURE;
    }
    if (args.until !== undefined && !matched) {
      const before = `before "${args.until}" appeared on the screen`;
      if (result.reason === 'timeout') {
        say(`timed out after ${formatDuration(args.timeoutNs!)} of machine time ${before}.`);
        return EXIT_TIMEOUT;
      }
      if (idleForever) {
        say(`the CPU idles for good (interrupts off) and "${args.until}" is not on the screen: it never will be.`);
        return EXIT_FAILURE;
      }
      say(`the run ended (${endedBecause(result)}) ${before}.`);
      return EXIT_FAILURE;
    }
    if (result.reason === 'timeout') {
      say(`timed out after ${formatDuration(args.timeoutNs!)} of machine time.`);
      return EXIT_TIMEOUT;
    }
    if (result.reason === 'exit') return result.status;
    return EXIT_OK;
  }

  function endedBecause(result: MachineResult): string {
    if (quitWhy) return `you quit with ${quitWhy}`;
    switch (result.reason) {
      case 'for': return `--for ${formatDuration(args.forNs!)} of machine time passed`;
      case 'exit': return `the guest exited with status ${result.status} through isa-debug-exit`;
      case 'triple-fault': return 'a triple fault with no_reboot set';
      default: return `the machine stopped: ${result.reason}`;
    }
  }
}

export function writeScreen(file: string, screen: string): void {
  writeFileSync(file, screen + '\n');
}

/** A script's serial bytes by the UART they arrive on (unnamed: the machine's first UART). */
function serialByUart(events: readonly ScriptInput[], first: string | undefined): Map<string, ScriptInput[]> {
  const out = new Map<string, ScriptInput[]>();
  for (const e of events) {
    const uart = e.uart ?? first;
    if (uart !== undefined) out.set(uart, [...(out.get(uart) ?? []), e]);
  }
  return out;
}
