#!/usr/bin/env node
// actorpc command: runs the compiled CLI (npm install builds it into dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/machine/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('actorpc is not built yet: run "npm install" (or "npm run build") in the project folder.\n');
  process.exit(2);
}
const { main } = await import(cli.href);
const status = await main(process.argv.slice(2));
// Let stdout/stderr drain, then exit with the status (workers and ports are closed by then).
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
