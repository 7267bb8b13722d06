// actorpc's entry: parse, dispatch, map every failure to its exit status with a clear message.
// Each command's modules are imported when it runs: `help` and `--version` load no zod, yaml,
// rxjs or machine, and `check` only the config loader (start-up time is part of the interface).
import { readFileSync } from 'node:fs';
import { ConfigErrors } from '../config/errors.js';
import { projectPath } from '../paths.js';
import { parseCommandLine, type RunArgs } from './args.js';
import { checkOutputPath } from './outputs.js';
import { StopSignals } from './signals.js';
import { EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runUsage, USAGE, UsageError } from './usage.js';

export async function main(argv: readonly string[]): Promise<number> {
  guardPipes();
  try {
    const args = parseCommandLine(argv);
    if (args.command === 'version') {
      process.stdout.write(`actorpc ${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (args.command === 'help') {
      // Asked for: stdout, status 0. No command at all: a usage error (stderr, status 2).
      (args.asked ? process.stdout : process.stderr).write((args.topic === 'run' ? runUsage() : USAGE) + '\n');
      return args.asked ? EXIT_OK : EXIT_USAGE;
    }
    if (args.command === 'check') {
      const { loadMachine } = await import('../config/load.js');
      const { flagOverrides, FLAG_LABEL } = await import('./machine-flags.js');
      const spec = await loadMachine(args.file!, flagOverrides(args), FLAG_LABEL);
      process.stdout.write(`${args.file}: ok — ${spec.devices.length} devices, ${spec.wires.length} wires, kernel ${spec.kernel.main}\n`);
      return EXIT_OK;
    }
    if (args.command === 'matrix') {
      const { matrixCommand } = await import('./matrix.js');
      return await matrixCommand(args);
    }
    if (args.command === 'test') {
      const { testCommand } = await import('./test.js');
      return await testCommand(args.suites ?? [], args.timeoutNs);
    }
    if (args.command === 'timeline') {
      checkOutputPath('-o', args.timeline!, 'timeline.json');
      const { timelineCommand } = await import('./timeline.js');
      return await timelineCommand(args.file!, args.timeline!);
    }
    checkOutputs(args);
    if (args.command === 'qtest') {
      const { qtestCommand } = await import('./qtest.js');
      return await qtestCommand(args);
    }
    const { runCommand, writeScreen } = await import('./run.js');
    const outcome = await runCommand(args);
    if (outcome.screen !== undefined) {
      if (args.screen) writeScreen(args.screen, outcome.screen);
      // --stats json takes stdout (clean JSON for tools); --screen FILE still has the screen.
      if ((args.headless || !process.stdout.isTTY || !process.stdin.isTTY) && args.stats !== 'json') process.stdout.write(outcome.screen + '\n');
    }
    return outcome.status;
  } catch (err) {
    if (err instanceof ConfigErrors) {
      process.stderr.write(err.message + '\n');
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`actorpc: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`actorpc: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** --log and --screen: checked before anything starts (the serial file adapter's path is checked in run). */
function checkOutputs(args: RunArgs): void {
  if (args.log !== undefined) checkOutputPath('--log', args.log, 'trace.ndjson');
  if (args.screen !== undefined) checkOutputPath('--screen', args.screen, 'screen.txt');
  if (args.timeline !== undefined) checkOutputPath('--timeline', args.timeline, 'timeline.json');
  if (args.screenshot !== undefined) checkOutputPath('--screenshot', args.screenshot, 'screen.png');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
}

let guarded = false;

/**
 * A reader that went away (`actorpc test | head -1`): writes fail with EPIPE. End quietly, as cat
 * does when SIGPIPE kills it (a shell shows 141): no stack, nothing more to write anyway.
 */
function guardPipes(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // A hang-up closes the terminal too: then the signal's status stands.
      if (err.code === 'EPIPE' || err.code === 'EIO') process.exit(StopSignals.status ?? EXIT_BROKEN_PIPE);
      throw err;
    });
  }
}
