// panic!: format the PanicInfo the way current Rust does ("panicked at FILE:LINE:COL:" then the
// message) and hand it to the panic handler the entry installed. It never returns.
// Source positions name the blog's files; line numbers are those of our port, not of blog_os.

export type PanicHandler = (info: string) => never;

let handler: PanicHandler | undefined;

export function setPanicHandler(h: PanicHandler): void {
  handler = h;
}

export function panic(message: string, location: string): never {
  const info = `panicked at ${location}:\n${message}`;
  if (!handler) throw new Error(`kernel panic before a panic handler was installed: ${info}`);
  return handler(info);
}
