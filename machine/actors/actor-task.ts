// The piscina task every actor thread runs: one long-running task per actor, whose settled
// promise is the actor's exit (the supervision hook).
import { runCpu } from './cpu-actor.js';
import { runDevice } from './device-actor.js';
import type { ActorTask, CpuExit, DeviceExit } from './protocol.js';

export default async function actorTask(task: ActorTask): Promise<CpuExit | DeviceExit> {
  return task.role === 'cpu' ? runCpu(task) : runDevice(task);
}
