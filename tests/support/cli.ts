// Run the real `actorpc` command (compiled; `npm test` builds first) and capture what it prints.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function actorpc(args: string[], timeoutMs = 30_000): CliResult {
  const r = spawnSync(process.execPath, ['bin/actorpc.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
