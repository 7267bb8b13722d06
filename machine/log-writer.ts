// The byte end of --log: chunks to a file, a FIFO or stderr through asynchronous writes (writev),
// one in flight at a time, in order. The first failure (a full disk, a FIFO whose reader went
// away) is reported once as a one-line reason; from then on nothing is written and close()
// resolves at once. close() also gives up (as a failure) after STALL_MS without progress: a reader
// that stopped reading, or a FIFO nobody opened (open(2) of a FIFO waits for its reader).
import { close, fstatSync, mkdirSync, open, writev } from 'node:fs';
import { dirname } from 'node:path';

/** Queued bytes above which the producer side is asked to wait (see onBacklog), and below which it may go on. */
const HIGH_WATER = 32 << 20;
const LOW_WATER = 8 << 20;
/** One writev takes up to this many bytes, in up to MAX_CHUNKS chunks. */
const MAX_WRITE = 4 << 20;
const MAX_CHUNKS = 256;
/** A full non-blocking pipe (stderr): try again after this long (ms). */
const RETRY_MS = 2;
/** After close(): this long without a byte written (a reader that stopped reading, a FIFO nobody opened) ends the log. */
const STALL_MS = 10_000;

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC)',
  EDQUOT: 'the disk quota is used up (EDQUOT)',
  EFBIG: 'the file grew too large (EFBIG)',
  EIO: 'an I/O error on the device (EIO)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EISDIR: 'it is a directory (EISDIR)',
  ENOENT: 'no such file or directory (ENOENT)',
  ENOTDIR: 'a part of the path is not a directory (ENOTDIR)',
  EROFS: 'the file system is read-only (EROFS)',
  EBADF: 'the file descriptor is not open for writing (EBADF)',
};

export class LogWriter {
  private fd: number | undefined;
  private fifo = false;
  private readonly queue: Uint8Array[] = [];
  /** Per queued chunk: called once its bytes are no longer needed (the owner may reuse the buffer). */
  private readonly dones: Array<(() => void) | undefined> = [];
  private queued = 0;
  private busy = false;
  private failed = false;
  private ended = false;
  private high = false;
  private closing: (() => void) | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  /** Bytes written so far. */
  written = 0;

  /**
   * `file` undefined: stderr. onFail gets one line (the reason) once; onBacklog(true) asks the
   * producer to pause, onBacklog(false) lets it go on.
   */
  constructor(
    file: string | undefined,
    private readonly onFail: (reason: string) => void,
    private readonly onBacklog: (high: boolean) => void = () => {},
    private readonly stallMs = STALL_MS,
  ) {
    if (file === undefined) {
      this.fd = 2;
      return;
    }
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      queueMicrotask(() => this.fail(err));
      return;
    }
    this.busy = true;
    open(file, 'w', (err, fd) => {
      this.busy = false;
      if (err) return this.fail(err);
      this.fd = fd;
      try {
        this.fifo = fstatSync(fd).isFIFO();
      } catch {
        // Only for the wording of a later EPIPE.
      }
      if (this.failed) this.closeFd(() => {});
      else this.pump();
    });
  }

  get failedAlready(): boolean { return this.failed; }

  /** Queue bytes (or text) for writing; dropped after a failure. `done`: the bytes may be reused now. */
  write(chunk: Uint8Array | string, done?: () => void): void {
    if (this.failed || this.ended) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return;
    this.queue.push(bytes);
    this.dones.push(done);
    this.queued += bytes.length;
    if (!this.high && this.queued > HIGH_WATER) {
      this.high = true;
      this.onBacklog(true);
    }
    this.pump();
  }

  /**
   * Write what is queued, then close the file. Never waits after a failure, nor longer than
   * stallMs without progress (a reader that stopped reading: reported as a failure).
   */
  close(): Promise<void> {
    this.ended = true;
    return new Promise((resolve) => {
      this.closing = () => {
        clearTimeout(this.stallTimer);
        if (this.busy) resolve(); // a write still blocked in the thread pool: leave the fd to it
        else this.closeFd(resolve);
      };
      this.watchStall();
      this.settle();
    });
  }

  private watchStall(): void {
    if (this.closing === undefined) return;
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      const secs = `${this.stallMs / 1000} s`;
      this.fail(new Error(this.fd === undefined ? `nobody opened the FIFO for reading in ${secs}` : `the reader stopped reading: nothing could be written for ${secs}`));
    }, this.stallMs);
  }

  private pump(): void {
    if (this.busy || this.failed || this.fd === undefined) return;
    if (this.queue.length === 0) return this.settle();
    // Several chunks go in one writev (--pretty's lines are small).
    let taken = 1;
    let size = this.queue[0].length;
    while (taken < this.queue.length && taken < MAX_CHUNKS && size + this.queue[taken].length <= MAX_WRITE) size += this.queue[taken++].length;
    const chunks = this.queue.slice(0, taken);
    this.busy = true;
    writev(this.fd, chunks, null, (err, n) => {
      this.busy = false;
      if (this.failed) return; // given up on (stalled) while this write was blocked
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.pump(), RETRY_MS);
          return;
        }
        return this.fail(err);
      }
      this.written += n;
      this.queued -= n;
      this.watchStall();
      // Drop what was written; a short write leaves the rest of a chunk at the head.
      while (n > 0) {
        const head = this.queue[0];
        if (n < head.length) {
          this.queue[0] = head.subarray(n);
          break;
        }
        n -= head.length;
        this.queue.shift();
        this.dones.shift()?.();
      }
      if (this.high && this.queued < LOW_WATER) {
        this.high = false;
        this.onBacklog(false);
      }
      this.pump();
    });
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.queue.length = 0;
    this.dones.length = 0;
    this.queued = 0;
    if (this.high) {
      this.high = false;
      this.onBacklog(false);
    }
    this.onFail(this.reason(err));
    this.settle();
  }

  private reason(err: unknown): string {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'EPIPE') return this.fifo ? 'the reader of the FIFO went away (EPIPE)' : 'the reader of the pipe went away (EPIPE)';
    if (code !== undefined && REASONS[code]) return REASONS[code];
    return (err instanceof Error ? err.message : String(err)).split('\n')[0];
  }

  /** When closing: finish once nothing is left to write, or at once after a failure. */
  private settle(): void {
    const done = this.closing;
    if (done === undefined) return;
    if (this.failed || (!this.busy && this.queue.length === 0 && this.fd !== undefined)) {
      this.closing = undefined;
      done();
    } else if (this.fd === undefined && !this.busy) {
      // Never opened (the failure is on its way through fail()).
      this.closing = undefined;
      done();
    }
  }

  private closeFd(resolve: () => void): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined || fd === 2) return resolve();
    close(fd, () => resolve());
  }
}
