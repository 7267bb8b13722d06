// Machine files written for a config test: each extends the fixture PC (tests/fixtures/machines/
// pc.yaml) with a few lines, in a folder removed after the file's tests; and the formatted
// errors loading one gives (what `actorpc check` prints).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigErrors, formatConfigError } from '../../machine/config/errors.js';
import { loadMachine } from '../../machine/config/load.js';
import { tempDirs } from './temp.js';

/** The fixture PC (sets ns_per_instruction: 2). */
export const FIXTURE_PC = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/machines/pc.yaml');

/** Call at the top level of a test file. */
export function machineFiles(prefix: string) {
  const dir = tempDirs(prefix).make();
  return {
    dir,
    /** `name`.yaml: `extends:` the fixture PC, then `text`. */
    machine(name: string, text: string): string {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, `extends: ${FIXTURE_PC}\n${text}`);
      return file;
    },
  };
}

/** The errors loading `file` gives, one formatted error per line; throws if it loads. */
export async function errorText(file: string): Promise<string> {
  try {
    await loadMachine(file);
  } catch (err) {
    if (err instanceof ConfigErrors) return err.errors.map((e) => formatConfigError(e)).join('\n');
    throw err;
  }
  throw new Error(`${file} loaded without errors`);
}
