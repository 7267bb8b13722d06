// Bench only, loaded with `node --import`: at exit, write this process's resource usage (peak
// RSS, CPU time of all its threads) to the file named by ACTORPC_RUSAGE.
import { writeFileSync } from 'node:fs';

const file = process.env.ACTORPC_RUSAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKiB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
