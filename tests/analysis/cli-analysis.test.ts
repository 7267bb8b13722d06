// The commands: --stats (text on stderr by default when headless, json on stdout, off), --timeline
// and `actorpc timeline LOG -o FILE` (the same file from a --log as from the live run), pino-pretty
// on the NDJSON showing IRQ states, and hardware values in hex in messages.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuFault } from '../../cpu/faults.js';
import { parseCommandLine } from '../../machine/cli/args.js';
import { UsageError } from '../../machine/cli/usage.js';
import { actorpc, ROOT } from '../support/cli.js';
import { tempDirs } from '../support/temp.js';

const temp = tempDirs('actorpc-analysis-');
const RUN = ['run', 'config/posts/post-07.yaml', '--time', 'virtual', '--for', '300ms', '--headless'];

describe('--stats', () => {
  it('parses as text by default, json or off, and --no-stats; refuses other modes', () => {
    expect(parseCommandLine(['run', 'x.yaml']).stats).toBeUndefined();
    expect(parseCommandLine(['run', 'x.yaml', '--stats']).stats).toBe('text');
    expect(parseCommandLine(['run', 'x.yaml', '--stats', '--for', '1s']).stats).toBe('text');
    expect(parseCommandLine(['run', 'x.yaml', '--stats', 'json']).stats).toBe('json');
    expect(parseCommandLine(['run', 'x.yaml', '--stats=off']).stats).toBe('off');
    expect(parseCommandLine(['run', 'x.yaml', '--no-stats']).stats).toBe('off');
    expect(() => parseCommandLine(['run', 'x.yaml', '--stats=csv'])).toThrow(UsageError);
    expect(() => parseCommandLine(['run', 'x.yaml', '--stats', 'json', '--no-stats'])).toThrow(/contradict/);
  });

  it('a headless run reports on stderr after the screen; --stats json prints JSON on stdout instead; --no-stats is silent; host time per actor is there', () => {
    const text = actorpc(RUN);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Hello World!');
    expect(text.stderr).toMatch(/actorpc stats: post-07, virtual/);
    expect(text.stderr).toMatch(/pic1\.ir0\s+0x20/);
    expect(text.stderr).toMatch(/host time per actor[^\n]*\n\s+actor\s+calls served\s+host time\n\s+cpu\s+—\s+\d+\.\d ms\n/);
    const json = actorpc([...RUN, '--stats', 'json']);
    expect(json.status).toBe(0);
    type Host = { cpuMs: number; devices: Array<{ device: string; calls: number; hostMs: number }> };
    const report = JSON.parse(json.stdout) as { machine: string; lines: Array<{ line: string; delivered: number }>; host: Host };
    expect(report.machine).toBe('post-07');
    // Every device of the machine, inline or on a worker, with the calls it served (the PIT's timer ticks at least).
    expect(report.host.devices.map((d) => d.device)).toEqual(expect.arrayContaining(['pic1', 'pic2', 'pit', 'kbd', 'vga']));
    expect(report.host.devices.find((d) => d.device === 'pit')!.calls).toBeGreaterThan(3);
    expect(report.host.devices.every((d) => d.hostMs >= 0 && (d.calls > 0 || d.hostMs === 0))).toBe(true);
    expect(report.host.cpuMs).toBeGreaterThan(0);
    expect(report.lines.find((l) => l.line === 'pic1.ir0')!.delivered).toBeGreaterThan(3);
    const quiet = actorpc([...RUN, '--no-stats']);
    expect(quiet.stderr).not.toContain('actorpc stats');
  });
});

describe('timelines and logs', () => {
  it('actorpc timeline LOG -o FILE writes the same timeline as run --timeline, and pino-pretty shows IRQ states', () => {
    const dir = temp.make();
    const [log, live, later] = ['trace.ndjson', 'live.json', 'later.json'].map((f) => join(dir, f));
    const run = actorpc([...RUN, '--no-stats', '--log', log, '--timeline', live]);
    expect(run.status).toBe(0);
    const conv = actorpc(['timeline', log, '-o', later]);
    expect(conv.status).toBe(0);
    expect(readFileSync(later, 'utf8')).toBe(readFileSync(live, 'utf8'));
    expect(JSON.parse(readFileSync(live, 'utf8')).traceEvents.length).toBeGreaterThan(100);
    const pretty = spawnSync(join(ROOT, 'node_modules/.bin/pino-pretty'), [], { input: readFileSync(log), encoding: 'utf8' });
    expect(pretty.stdout).toMatch(/kind: "irq\.level"\n\s+src: "pit"\n\s+line: "pic1\.ir0"\n\s+state: 1/);
    expect(pretty.stdout).toMatch(/kind: "pic\.intr"\n\s+src: "pic1"\n\s+chip: "pic1"\n\s+state: 0/);
    expect(pretty.stdout).toContain('clock: "virtual"');
  });

  it('actorpc timeline refuses a missing -o and a file that is not NDJSON, with status 2', () => {
    const dir = temp.make();
    expect(actorpc(['timeline', 'trace.ndjson']).stderr).toMatch(/needs -o FILE\.json/);
    const bad = join(dir, 'screen.txt');
    spawnSync('sh', ['-c', `echo 'Hello World!' > ${bad}`]);
    const r = actorpc(['timeline', bad, '-o', join(dir, 'x.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/screen\.txt:1: not a JSON line/);
  });
});

describe('readable numbers', () => {
  it('an exception names its vector and error code in hex, as the trace tools show them', () => {
    expect(new CpuFault(13, 0x43).message).toBe('#GP general protection (error code 0x43)');
    expect(new CpuFault(0x40).message).toBe('vector 0x40');
  });
});
