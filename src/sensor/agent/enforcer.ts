/**
 * Protect mode's kernel side: one enforcer bpftrace process whose script
 * (generateEnforcerScript) holds a rule per protected container. When the
 * rules change the script is regenerated after a short debounce; the new
 * process is started and ready before the old one is stopped, so coverage
 * has no gap. Kill records are handed to `onKill`; the enforcer's own drops
 * are reported as `enforcer.<source>`.
 */
import { errorMessage } from '../../core/errors.js';
import {
  generateEnforcerScript,
  startSensor,
  type EnforcementEvent,
  type EnforcerRule,
  type Sensor,
} from '../bpftrace/index.js';

export interface EnforcerManagerOptions {
  readonly onKill: (ev: EnforcementEvent) => void;
  readonly onDrop: (source: string, count: number) => void;
  readonly onProblem?: (message: string) => void;
  /** Told each time a script is live (rules applied) or the enforcer is stopped (0). */
  readonly onApplied?: (rules: number) => void;
  /** Default 300 ms. */
  readonly debounceMs?: number;
  readonly bpftrace?: string;
}

/** The most rules one script holds (generateEnforcerScript's bound). */
export const MAX_ENFORCER_RULES = 64;

export class EnforcerManager {
  private desired: readonly EnforcerRule[] = [];
  private appliedKey = '[]';
  private current: { sensor: Sensor; consumer: Promise<void> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: EnforcerManagerOptions) {}

  /** Sets the rules wanted (applied after the debounce). */
  update(rules: readonly EnforcerRule[]): void {
    if (this.closed) return;
    this.desired = rules.slice(0, MAX_ENFORCER_RULES);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.apply());
    }, this.o.debounceMs ?? 300);
  }

  /** Resolves once every update made so far is applied (tests, and before a mode switch is reported). */
  async settled(): Promise<void> {
    while (this.timer) await new Promise((r) => setTimeout(r, 20));
    await this.chain;
  }

  private async apply(): Promise<void> {
    const rules = this.desired;
    const key = JSON.stringify(rules);
    if (this.closed || key === this.appliedKey) return;
    const old = this.current;
    if (rules.length === 0) {
      this.current = undefined;
      this.appliedKey = key;
      await this.stopOne(old);
      this.o.onApplied?.(0);
      return;
    }
    let sensor: Sensor;
    try {
      const script = generateEnforcerScript({ rules });
      sensor = await startSensor({
        script,
        unsafe: true,
        ...(this.o.bpftrace ? { bpftrace: this.o.bpftrace } : {}),
      });
      await sensor.ready;
    } catch (e) {
      this.o.onProblem?.(`enforcer: cannot apply ${rules.length} rule(s): ${errorMessage(e)}`);
      return;
    }
    const s = sensor;
    const consumer = (async () => {
      for await (const ev of s) {
        if (ev.kind === 'enforce') this.o.onKill(ev);
        else if (ev.kind === 'drop') this.o.onDrop(`enforcer.${ev.source}`, ev.count);
      }
    })();
    this.current = { sensor: s, consumer };
    this.appliedKey = key;
    this.o.onApplied?.(rules.length);
    await this.stopOne(old);
  }

  private async stopOne(c: { sensor: Sensor; consumer: Promise<void> } | undefined): Promise<void> {
    if (!c) return;
    await c.sensor.stop();
    await c.consumer;
  }

  /** Stops the enforcer (protected processes are no longer killed). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    const c = this.current;
    this.current = undefined;
    await this.stopOne(c);
  }
}
