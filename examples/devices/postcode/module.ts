// A POST-code card as a user device that brings its own front ends. PC firmware writes progress
// codes to port 0x80 (the ISA "manufacturing diagnostic" port); a plug-in card shows the last byte
// on two 7-segment digits. The core keeps the last code and emits each write on channel `code`;
// the adapters, run on the main thread, show them: `console` prints "POST 0x2a" lines (stdout, or
// after the full-screen UI), `file` appends them to options.file (default <machine>.<device>.post.log),
// `none` drops them. The API sees the same events: machine.events$('post', 'code').
//
//   post:
//     impl: ../dist/examples/devices/postcode/module.js
//     adapter: file
//     options: { file: post.log }
import { closeSync, openSync, writeSync } from 'node:fs';
import { defineDevice, type AccessSize, type DeviceContext, type DeviceCore, type DeviceState } from 'actorpc/device';
import { z } from 'zod';

export const postcodeOptions = z.strictObject({
  /** adapter: file: where the codes are appended (relative to the folder actorpc runs in). */
  file: z.string().min(1).optional(),
});
export type PostcodeOptions = z.infer<typeof postcodeOptions>;

/** The card: a write latches the byte (shown on the digits); reads float (0xFF), as on most boards. */
export class PostCard implements DeviceCore {
  private last = 0;
  constructor(private readonly ctx: DeviceContext) {}
  read(): number { return 0xff; }
  write(_region: number, _offset: number, _size: AccessSize, value: number): void {
    this.last = value & 0xff;
    this.ctx.emit('code', this.last);
  }
  snapshot(): DeviceState { return { version: 1, last: this.last }; }
  restore(state: DeviceState): void { this.last = typeof state.last === 'number' ? state.last & 0xff : 0; }
}

const line = (code: unknown) => `POST 0x${Number(code).toString(16).padStart(2, '0')}\n`;

export default defineDevice<PostcodeOptions>({
  kind: 'postcode',
  title: 'POST-code card at port 0x80 (example user device with its own front ends)',
  regions: [{ name: 'code', size: 1, base: 0x80, widths: [1], names: { read: ['(floating)'], write: ['POST code'] } }],
  options: postcodeOptions,
  adapters: ['console', 'file', 'none'],
  frontEnds: {
    console: (host) => ({ onEvent: (channel, code) => { if (channel === 'code') host.write(line(code)); } }),
    file: (host) => {
      const fd = openSync(host.options.file ?? `${host.machine}.${host.device}.post.log`, 'a');
      return {
        onEvent: (channel, code) => { if (channel === 'code') writeSync(fd, line(code)); },
        close: () => closeSync(fd),
      };
    },
  },
  create: (ctx) => new PostCard(ctx),
});
