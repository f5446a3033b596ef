/**
 * The agent's outputs: the JSON-lines event stream, syslog and a webhook,
 * fed with alerts and drop summaries (and, for the stream with `events:
 * 'all'`, every container event). Drops are summarised per source once a
 * second from the counters, so every loss — the outputs' own included —
 * reaches the stream.
 */
import type { MamoriError } from '../../core/errors.js';
import type { Alert, ContainerEvent } from '../model/index.js';
import type { AgentCounters } from './counters.js';
import { StreamWriter } from './stream.js';
import { alertToSyslog, dropToSyslog } from './syslog-format.js';
import { createSyslogSender, parseSyslogUrl, type SyslogSender } from './syslog-send.js';
import type { DropRecord } from './types.js';
import { createWebhookSender, type WebhookSender } from './webhook.js';

export interface OutputOptions {
  readonly eventsOut?: string;
  readonly events?: 'all' | 'alerts';
  readonly syslog?: string;
  readonly webhook?: { readonly url: string; readonly secret: string };
  readonly onError?: (e: MamoriError) => void;
  readonly onDropRecord?: (d: DropRecord) => void;
}

export class Outputs {
  private constructor(
    private readonly counters: AgentCounters,
    private readonly opts: OutputOptions,
    private readonly stream: StreamWriter | undefined,
    private readonly syslog: SyslogSender | undefined,
    private readonly webhook: WebhookSender | undefined,
  ) {}

  static async open(counters: AgentCounters, o: OutputOptions): Promise<Outputs> {
    const onError = (e: MamoriError): void => o.onError?.(e);
    const syslog = o.syslog
      ? createSyslogSender(parseSyslogUrl(o.syslog), { onDrop: (n) => counters.drop('syslog', n), onError })
      : undefined;
    const webhook = o.webhook
      ? createWebhookSender({ ...o.webhook, onDrop: (n) => counters.drop('webhook', n), onError })
      : undefined;
    const stream = o.eventsOut
      ? await StreamWriter.open(o.eventsOut, { onDrop: (n) => counters.drop('stream', n), onError })
      : undefined;
    return new Outputs(counters, o, stream, syslog, webhook);
  }

  private readonly reported = new Map<string, number>();

  /** Whether event() writes anything (the stream asked for every event). */
  get wantsEvents(): boolean {
    return this.opts.events === 'all' && this.stream !== undefined;
  }

  event(e: ContainerEvent): void {
    if (this.opts.events === 'all') this.stream?.write(e);
  }

  alert(a: Alert): void {
    this.counters.alert(a);
    this.stream?.write(a);
    this.syslog?.send(alertToSyslog(a));
    this.webhook?.send(a);
  }

  /** Writes a summary for every source with drops since the last call. */
  reportDrops(): void {
    for (const [source, total] of Object.entries(this.counters.snapshot().drops)) {
      const before = this.reported.get(source) ?? 0;
      if (total <= before) continue;
      this.reported.set(source, total);
      const d: DropRecord = { kind: 'drop', time: Date.now(), source, count: total - before, total };
      this.stream?.write(d, true);
      this.syslog?.send(dropToSyslog(d));
      this.webhook?.send(d);
      this.opts.onDropRecord?.(d);
    }
  }

  /** Records waiting in the stream's queue. */
  get pending(): number {
    return this.stream?.pending ?? 0;
  }

  async close(): Promise<void> {
    this.reportDrops();
    await Promise.all([this.syslog?.close(), this.webhook?.close()]);
    // Losses of the network outputs while closing still reach the file.
    this.reportDrops();
    await this.stream?.close();
  }
}
