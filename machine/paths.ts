// Where the project's own files are, whether code runs compiled (dist/) or from source (tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding actorpc's package.json. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the actorpc project folder');
    dir = up;
  }
  root = dir;
  return dir;
}

/** A path inside the project, e.g. projectPath('config', 'test.yaml'). */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}
