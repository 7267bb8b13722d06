// The piscina task every actor thread runs: one long-running task per actor, whose settled
// promise is the actor's exit (the supervision hook). Each role is imported only when a thread
// takes it, so a device worker loads the shell and its device modules — not the CPU, the
// kernel or the qtest interpreter (a lean worker: ≈9 MiB and ≈60 ms of CPU for Node's own
// worker, little more for ours).
import type { ActorTask, CpuExit, DeviceExit } from './protocol.js';

export default async function actorTask(task: ActorTask): Promise<CpuExit | DeviceExit> {
  if (task.role === 'cpu') return (await import('./cpu-actor.js')).runCpu(task);
  if (task.role === 'qtest') return (await import('./qtest-actor.js')).runQtest(task);
  return (await import('./device-actor.js')).runDevice(task);
}
