// The qtest protocol under random input, through the real command: lines made of command words
// (right, misspelt, garbage), numbers of every shape (boundaries, too large, overlong, not numbers),
// device and pin names, data and bytes of any kind. Whatever comes, every line that is not blank
// or a # comment gets exactly one reply line, starting OK, FAIL or ERR; the session stays alive, and
// a valid command afterwards still works.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../machine/actors/qtest-syntax.js';
import { qtestSessions } from '../support/qtest.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open = qtestSessions();
const MACHINE = 'tests/qtest/small-pc.yaml';
const NAMES = Object.keys(COMMANDS);
/** Where the check after each batch writes (random lines may write there too: it comes after them). */
const PROBE = 0x800;
/** The check's value: a fresh one each batch, so no reply to a random line can pass for its reply. */
let check = 0x5e5e_5e5e_0000_0000n;

const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).map((t) => t.replace(/\n/g, ' '));
const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  fc.constantFrom(...NAMES).map((n) => n.toUpperCase()),
  fc.constantFrom(...NAMES).map((n) => n.slice(0, -1) + 'x'),
  anyText(12),
);
const number = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map(String),
  fc.integer({ min: 0, max: 0xfff }).map((v) => '0x' + v.toString(16)),
  fc.integer({ min: 0, max: 0o777 }).map((v) => '0' + v.toString(8)),
  fc.constantFrom(0xff, 0x100, 0xffff, 0x10000, 0xfffff, 0x100000, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1).map((v) => '0x' + v.toString(16)),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map((v) => '0x' + v.toString(16)),
  fc.constantFrom('0x', '-1', '09', '1e3', '+5', '0X1F', '0x1g', '١٢', '0b101'),
  fc.string({ unit: fc.constantFrom('0', '1', 'f', 'x'), minLength: 60, maxLength: 200 }),
);
const token = fc.oneof(
  { weight: 4, arbitrary: number },
  fc.constantFrom('pic1', 'pic2', 'pit', 'kbd', 'cpu', '*', 'vga', 'nosuch', 'ir0', 'ir7', 'ir8', 'int', 'out0'),
  fc.uint8Array({ maxLength: 24 }).map((b) => '0x' + Buffer.from(b).toString('hex')),
  fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64')),
  anyText(20),
  fc.constantFrom('x'.repeat(5000), '#', '0x' + 'ab'.repeat(3000)),
);
/** Arguments of the right kind, mostly (each may still be anything). */
const argument: Readonly<Record<string, fc.Arbitrary<string>>> = {
  ADDR: number, VALUE: number, SIZE: number, NS: number,
  DATA: fc.oneof(fc.uint8Array({ maxLength: 24 }).map((b) => '0x' + Buffer.from(b).toString('hex')), token),
  B64_DATA: fc.oneof(fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64')), token),
  DEVICE: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('pic1', 'pic2', 'pit', 'kbd', 'cpu', '*', 'nosuch') }, token),
  PIN: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('ir0', 'ir3', 'ir7', 'ir8', '0', '7', '8', 'int') }, token),
  LEVEL: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('0', '1', '2') }, token),
};
/** A command with as many arguments as it takes (an optional one present or not), typed as above. */
const wellFormed = fc.constantFrom(...NAMES).chain((name) => {
  const spec = COMMANDS[name].split(' ').filter(Boolean);
  const args = spec.map((a) => {
    const kind = argument[a.replace(/[[\]]/g, '')] ?? token;
    return a.startsWith('[') ? fc.option(kind, { nil: undefined }) : kind;
  });
  return fc.tuple(...args).map((values) => [name, ...values.filter((v): v is string => v !== undefined)]);
});
const anyWords = fc.tuple(word, fc.array(token, { maxLength: 5 })).map(([w, args]) => [w, ...args]);
const space = fc.constantFrom(' ', '  ', '\t', ' \t ');
const commandLine = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: wellFormed }, anyWords), fc.array(space, { minLength: 6, maxLength: 6 }), fc.constantFrom('', ' ', '\r', '\t'))
  .map(([words, spaces, tail]) => words.map((w, i) => (i ? spaces[i - 1] : '') + w).join('') + tail);
const line = fc.oneof({ weight: 8, arbitrary: commandLine }, anyText(60), fc.constantFrom('', '   ', '# a comment', '\r'));

/** The driver answers every line except blank ones and # comments. */
function answered(l: string): boolean {
  const text = l.trim();
  return text !== '' && !text.startsWith('#');
}

describe('actorpc qtest: random lines', () => {
  it('every line gets exactly one OK/FAIL/ERR reply, the session stays alive, and a valid command afterwards works', async () => {
    const s = open([MACHINE]);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 10 }), async (lines) => {
        const value = '0x' + (++check).toString(16);
        const sentinel = `OK ${value}`;
        const text = lines.join('\n') + `\nwriteq ${PROBE} ${value}\nreadq ${PROBE}\n`;
        const replies = (await s.writeUntil(text, (r) => r === sentinel)).map((a) => a.reply);
        expect(replies.slice(-2)).toEqual(['OK', sentinel]);
        expect(replies.length - 2).toBe(lines.filter(answered).length);
        for (const r of replies) expect(r).toMatch(/^(OK|FAIL|ERR)( |$)/);
      }),
      { numRuns: 60 },
    );
    expect(s.unexpected).toEqual([]);
    expect(await s.send('outb 0x21 0x5a', 'inb 0x21')).toEqual(['OK', 'OK 0x5a']);
  });
});
