/**
 * The agent's counters: events by kind, drops by source, alerts by rule and
 * severity. Kept in plain maps for the status line and mirrored into a
 * private prom-client registry for `/metrics`.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Alert } from '../model/index.js';
import type { AgentStats } from './types.js';

/** Distinct label values kept per counter (user rules could otherwise grow it without end). */
const MAX_LABELS = 512;

function bump(map: Map<string, number>, key: string, n: number): string {
  const k = map.has(key) || map.size < MAX_LABELS ? key : 'other';
  map.set(k, (map.get(k) ?? 0) + n);
  return k;
}

export class AgentCounters {
  readonly registry = new Registry();
  readonly startedAt = Date.now();
  private readonly events = new Map<string, number>();
  private readonly drops = new Map<string, number>();
  private readonly byRule = new Map<string, number>();
  private readonly bySeverity = new Map<string, number>();
  private readonly eventsMetric: Counter<'kind'>;
  private readonly dropsMetric: Counter<'source'>;
  private readonly alertsMetric: Counter<'rule' | 'severity'>;
  private readonly repeatsMetric: Counter;
  private readonly containersGauge: Gauge;
  private readonly enforcedGauge: Gauge;
  containers = 0;
  enforced = 0;
  execRepeats = 0;

  constructor() {
    const registers = [this.registry];
    this.eventsMetric = new Counter({
      name: 'mamori_sensor_events_total',
      help: 'Sensor events processed, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.dropsMetric = new Counter({
      name: 'mamori_sensor_drops_total',
      help: 'Events or records lost, by source (kernel, queue, parse, drift, stream, syslog, webhook, enforcer…)',
      labelNames: ['source'],
      registers,
    });
    this.alertsMetric = new Counter({
      name: 'mamori_sensor_alerts_total',
      help: 'Alerts raised, by rule and severity',
      labelNames: ['rule', 'severity'],
      registers,
    });
    this.repeatsMetric = new Counter({
      name: 'mamori_sensor_exec_repeats_total',
      help: 'Execs the kernel reported compacted, as repeats of an exec already judged (counted in events_total too)',
      registers,
    });
    this.containersGauge = new Gauge({
      name: 'mamori_sensor_containers',
      help: 'Containers the sensor currently knows',
      registers,
    });
    this.enforcedGauge = new Gauge({
      name: 'mamori_sensor_enforced_containers',
      help: 'Protected containers covered by the enforcer',
      registers,
    });
    for (const source of ['kernel', 'queue', 'parse']) this.dropsMetric.inc({ source }, 0);
  }

  /** The metric's child per kind: labelling on every event would cost more than the event. */
  private readonly eventChildren = new Map<string, { inc(): void }>();

  event(kind: string): void {
    const k = bump(this.events, kind, 1);
    let c = this.eventChildren.get(k);
    if (c === undefined) this.eventChildren.set(k, (c = this.eventsMetric.labels({ kind: k })));
    c.inc();
  }

  /** An exec reported compacted (also counted by event('exec')). */
  repeat(): void {
    this.execRepeats++;
    this.repeatsMetric.inc();
  }

  drop(source: string, count: number): void {
    if (!(count > 0)) return;
    this.dropsMetric.inc({ source: bump(this.drops, source, count) }, count);
  }

  dropTotal(source: string): number {
    return this.drops.get(source) ?? 0;
  }

  alert(a: Alert): void {
    const rule = bump(this.byRule, a.rule, 1);
    bump(this.bySeverity, a.severity, 1);
    this.alertsMetric.inc({ rule, severity: a.severity });
  }

  setContainers(n: number, enforced: number): void {
    this.containers = n;
    this.enforced = enforced;
    this.containersGauge.set(n);
    this.enforcedGauge.set(enforced);
  }

  snapshot(): AgentStats {
    return {
      startedAt: this.startedAt,
      events: Object.fromEntries(this.events),
      drops: Object.fromEntries(this.drops),
      alertsByRule: Object.fromEntries(this.byRule),
      alertsBySeverity: Object.fromEntries(this.bySeverity),
      containers: this.containers,
      enforced: this.enforced,
      execRepeats: this.execRepeats,
    };
  }
}
