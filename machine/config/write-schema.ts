// Writes config/schema.json (the JSON Schema of machine files, for editors) from the zod schema.
// Run: npm run schema. tests/config/schema.test.ts fails when the file is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineJsonSchemaText } from './schema.js';

/** The project root: the nearest folder above this script with actorpc's package.json. */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'actorpc') return dir;
    if (dirname(dir) === dir) throw new Error(`no actorpc package.json above ${from}`);
  }
}

export const SCHEMA_PATH = 'config/schema.json';

const out = join(projectRoot(), SCHEMA_PATH);
const text = machineJsonSchemaText();
const before = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
writeFileSync(out, text);
console.log(`${before === text ? 'unchanged' : 'wrote'} ${out}`);
