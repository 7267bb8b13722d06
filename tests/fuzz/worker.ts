// A worker thread of `npm run fuzz`: runs the campaigns the main thread hands it, one at a time.
import { parentPort } from 'node:worker_threads';
import { runCampaign, type CampaignResult } from './campaign.js';
import { targetNamed } from './devices.js';

export interface Job {
  readonly device: string;
  readonly ops: number;
  readonly seed: number;
  readonly path?: string;
}

export type JobReply = { readonly ok: true; readonly result: CampaignResult } | { readonly ok: false; readonly device: string; readonly error: string };

parentPort?.on('message', (job: Job) => {
  let reply: JobReply;
  try {
    const target = targetNamed(job.device);
    if (!target) throw new Error(`no fuzz target ${job.device}`);
    reply = { ok: true, result: runCampaign(target, job) };
  } catch (err) {
    // The fuzzer itself failed (a core's exception is a counterexample, never this).
    reply = { ok: false, device: job.device, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
