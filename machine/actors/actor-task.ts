// The piscina task every actor thread runs: one long-running task per actor, whose settled
// promise is the actor's exit (the supervision hook).
import { runCpu } from './cpu-actor.js';
import { runDevice } from './device-actor.js';
import { runQtest } from './qtest-actor.js';
import type { ActorTask, CpuExit, DeviceExit } from './protocol.js';

export default async function actorTask(task: ActorTask): Promise<CpuExit | DeviceExit> {
  if (task.role === 'cpu') return runCpu(task);
  if (task.role === 'qtest') return runQtest(task);
  return runDevice(task);
}
