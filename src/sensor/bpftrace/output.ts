/**
 * bpftrace's output channel: a FIFO in a private temporary directory that
 * bpftrace writes (`-o FIFO`) and the sensor reads into one reused buffer
 * (a net.Socket with `onread`: no stream buffering, and pausing really stops
 * reading). Once a read comes back short — the sensor has caught up —
 * reading pauses for `readIntervalMs`, so records arrive in batches instead
 * of one wake-up of the sensor (and of nobody else) per record; under load
 * reads are full and follow each other without a pause. bpftrace blocks on
 * a full pipe and its records wait in the kernel's per-CPU buffers, where a
 * loss is counted, never silent.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { OnReadOpts, SocketConstructorOpts } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MamoriError } from '../../core/errors.js';

/** Size of the reused read buffer; a read this full means more is waiting. */
const READ_BUFFER = 64 * 1024;
/** Reads shorter than this mean the reader has caught up with bpftrace. */
const SHORT_READ = 32 * 1024;

export interface OutputPipeOptions {
  /** Longest line accepted (bytes); longer lines are skipped and reported to onOverlong. */
  readonly maxLineBytes: number;
  /** Pause after a short read (ms); 0 reads as soon as data arrives. */
  readonly readIntervalMs: number;
  /** Each complete line without its newline; the buffer is only valid during the call. */
  readonly onLine: (line: Buffer) => void;
  readonly onOverlong: () => void;
}

export interface OutputPipe {
  /** The FIFO to give bpftrace as `-o`. */
  readonly path: string;
  /** Resolves at end of stream (every writer gone) or on a read error. */
  readonly ended: Promise<void>;
  /**
   * Closes the sensor's own writer end (held so that the stream cannot end
   * before bpftrace opens the FIFO) and removes the FIFO's name.
   */
  releaseWriter(): void;
  /** Stops reading and removes the FIFO and its directory. */
  dispose(): Promise<void>;
}

/** Splits a byte stream into lines, bounding each line's length. */
class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private skipping = false;

  constructor(private readonly o: OutputPipeOptions) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping || this.length + piece.length > this.o.maxLineBytes) {
        this.reset();
        this.o.onOverlong();
        continue;
      }
      const line = this.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.reset();
      if (line.length > 0) this.o.onLine(line);
    }
    const rest = chunk.subarray(start);
    if (this.skipping || rest.length === 0) return;
    if (this.length + rest.length > this.o.maxLineBytes) {
      this.reset();
      this.skipping = true;
    } else {
      this.parts.push(Buffer.from(rest));
      this.length += rest.length;
    }
  }

  private reset(): void {
    this.parts = [];
    this.length = 0;
    this.skipping = false;
  }
}

/** Creates the FIFO and starts reading it. */
export async function openOutputPipe(o: OutputPipeOptions): Promise<OutputPipe> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-sensor-'));
  const path = join(dir, 'bpftrace.out');
  let reader: Socket | undefined;
  let writer: number | undefined;
  try {
    await promisify(execFile)('mkfifo', ['-m', '600', path]);
    // Reader first (a non-blocking open for writing needs one), then a writer end of our own.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    const lines = new LineSplitter(o);
    let timer: NodeJS.Timeout | undefined;
    // Node's Socket constructor takes `onread` as net.connect does (its typings list it only for connect).
    const opts: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd,
      readable: true,
      writable: false,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buf: Uint8Array): boolean => {
          lines.push(Buffer.from(buf.buffer, buf.byteOffset, n));
          if (o.readIntervalMs === 0 || n >= SHORT_READ || timer !== undefined) return true;
          timer = setTimeout(() => {
            timer = undefined;
            if (!sock.destroyed) sock.resume();
          }, o.readIntervalMs);
          return false;
        },
      },
    };
    const sock: Socket = new Socket(opts);
    reader = sock;
    const ended = new Promise<void>((resolve) => {
      sock.on('close', () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      });
      sock.on('error', () => sock.destroy());
    });
    const releaseWriter = (): void => {
      if (writer === undefined) return;
      closeSync(writer);
      writer = undefined;
      // Both ends are open: the name is no longer needed, and nothing is left behind if the sensor is killed.
      rmSync(dir, { recursive: true, force: true });
    };
    return {
      path,
      ended,
      releaseWriter,
      dispose: async () => {
        releaseWriter();
        sock.destroy();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    reader?.destroy();
    if (writer !== undefined) closeSync(writer);
    await rm(dir, { recursive: true, force: true });
    throw new MamoriError('IO', `cannot create the sensor's output pipe in ${dir}`, { cause: e });
  }
}
