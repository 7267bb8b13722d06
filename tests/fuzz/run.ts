// `npm run fuzz`: the full campaign, 10^6 random operations per device core (fuzz properties in
// property.ts), devices shared out over worker threads. Prints per device the operations, seed,
// time and rate; on a failure the shrunk counterexample and the command that replays it.
// Exit status: 0 all passed, 1 a property failed, 2 bad usage.
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { parseArgs, UsageError, type FuzzArgs } from './args.js';
import { failureReport, summaryLine, type CampaignResult } from './campaign.js';
import { TARGETS } from './devices.js';
import type { Job, JobReply } from './worker.js';

const COMMAND = 'npm run fuzz --';

async function main(argv: readonly string[]): Promise<number> {
  let args: FuzzArgs;
  try {
    args = parseArgs(argv, TARGETS.map((t) => t.name));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const jobs: Job[] = args.devices.map((device) => ({
    device,
    ops: args.ops,
    seed: args.seed ?? randomInt(0x8000_0000),
    ...(args.path !== undefined ? { path: args.path } : {}),
  }));
  const threads = Math.min(args.jobs, jobs.length);
  process.stdout.write(`fuzz: ${jobs.length} device(s), ${args.ops.toLocaleString('en-US')} operations each, ${threads} worker thread(s)\n`);
  const start = performance.now();
  const results = new Map<string, CampaignResult>();
  const crashes: string[] = [];
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: threads }, async () => {
      const worker = new Worker(new URL('./worker.js', import.meta.url));
      try {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const reply = await ask(worker, job);
          if (reply.ok) {
            results.set(reply.result.device, reply.result);
            process.stdout.write(`${summaryLine(reply.result)}\n`);
          } else {
            crashes.push(`${reply.device}: the fuzzer itself failed:\n${reply.error}`);
            process.stdout.write(`FAIL ${reply.device}: the fuzzer itself failed (below)\n`);
          }
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  const ordered = jobs.map((j) => results.get(j.device)).filter((r): r is CampaignResult => r !== undefined);
  const failed = ordered.filter((r) => r.failure);
  const total = ordered.reduce((n, r) => n + r.ops, 0);
  process.stdout.write(`\n${failed.length + crashes.length === 0 ? 'all passed' : `${failed.length + crashes.length} FAILED`}: ${total.toLocaleString('en-US')} operations in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  for (const r of failed) process.stdout.write(`\n${failureReport(r, COMMAND)}\n`);
  for (const c of crashes) process.stdout.write(`\n${c}\n`);
  return failed.length + crashes.length === 0 ? 0 : 1;
}

function ask(worker: Worker, job: Job): Promise<JobReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: JobReply): void => { cleanup(); resolve(reply); };
    const onError = (err: Error): void => { cleanup(); reject(err); };
    const onExit = (code: number): void => { cleanup(); reject(new Error(`fuzz worker exited with code ${code} while on ${job.device}`)); };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`npm run fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
