import type { ProgressEvent } from '../inventory/index.js';

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/**
 * A one-line progress indicator for terminals: layers done, bytes read and
 * the phase. Silent when the stream is not a TTY, so pipelines and logs stay
 * clean.
 */
export class Progress {
  private total = 0;
  private totalBytes: number | undefined;
  private bytes = 0;
  private done = 0;
  private cached = 0;
  private phase = 'starting';
  private last = 0;
  private shown = false;
  private readonly frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private frame = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  readonly onEvent = (e: ProgressEvent): void => {
    if (!this.enabled) return;
    switch (e.phase) {
      case 'resolve':
        this.phase = `resolving ${e.ref}`;
        break;
      case 'layers':
        this.total = e.total;
        this.totalBytes = e.totalBytes;
        this.phase = 'reading layers';
        break;
      case 'layer-start':
        if (e.cached) this.cached++;
        break;
      case 'bytes':
        this.bytes += e.bytes;
        break;
      case 'layer-done':
        this.done++;
        break;
      case 'catalog':
        this.phase = 'cataloging';
        break;
    }
    this.render(e.phase !== 'bytes');
  };

  private render(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const parts = [this.phase];
    if (this.total > 0)
      parts.push(`layer ${this.done}/${this.total}${this.cached ? ` (${this.cached} cached)` : ''}`);
    if (this.bytes > 0)
      parts.push(this.totalBytes ? `${mb(this.bytes)} / ${mb(this.totalBytes)}` : mb(this.bytes));
    const frame = this.frames[this.frame++ % this.frames.length] ?? '';
    const line = `${frame} ${parts.join(' · ')}`;
    this.out.write(`\r\x1b[2K${line.slice(0, Math.max(20, (this.out.columns ?? 80) - 1))}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
