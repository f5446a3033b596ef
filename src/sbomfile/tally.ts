/** Counts what was left out of an SBOM and why, and words it as a few bounded warnings. */
import { excerpt } from './bounds.js';

export type Reason =
  | 'unsafe'
  | 'invalid-purl'
  | 'unsupported-type'
  | 'no-purl'
  | 'no-name'
  | 'no-identity'
  | 'duplicate'
  | 'malformed';

const MAX_EXAMPLES = 3;
const MAX_TYPES = 8;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export class Tally {
  private readonly counts = new Map<Reason, { n: number; examples: string[] }>();
  private readonly types = new Map<string, number>();

  add(reason: Reason, example?: string, n = 1): void {
    if (n <= 0) return;
    let e = this.counts.get(reason);
    if (!e) this.counts.set(reason, (e = { n: 0, examples: [] }));
    e.n += n;
    if (example !== undefined && e.examples.length < MAX_EXAMPLES) e.examples.push(excerpt(example));
  }

  /** A component of a purl type mamori does not match. */
  unsupported(type: string): void {
    this.add('unsupported-type');
    if (this.types.has(type) || this.types.size < MAX_TYPES)
      this.types.set(type, (this.types.get(type) ?? 0) + 1);
  }

  warnings(): string[] {
    const out: string[] = [];
    const say = (reason: Reason, text: (n: number) => string): void => {
      const e = this.counts.get(reason);
      if (!e) return;
      const eg = e.examples.length > 0 ? ` (e.g. ${e.examples.join(', ')})` : '';
      out.push(`${text(e.n)}${eg}`);
    };
    say(
      'unsafe',
      (n) =>
        `${plural(n, 'component was', 'components were')} left out: control characters or an over-long value in the name, version or package URL`,
    );
    say(
      'invalid-purl',
      (n) => `${plural(n, 'component was', 'components were')} left out: invalid package URL`,
    );
    const unsupported = this.counts.get('unsupported-type');
    if (unsupported) {
      const list = [...this.types]
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .map(([t, n]) => `${excerpt(t, 32)}: ${n}`)
        .join(', ');
      out.push(
        `${plural(unsupported.n, 'component was', 'components were')} left out: package types mamori does not match (${list})`,
      );
    }
    say(
      'no-purl',
      (n) =>
        `${plural(n, 'component was', 'components were')} left out: no package URL and no known package type`,
    );
    say('no-name', (n) => `${plural(n, 'component was', 'components were')} left out: no usable name`);
    say(
      'no-identity',
      (n) => `${plural(n, 'component was', 'components were')} left out: no package URL can be formed for it`,
    );
    say(
      'duplicate',
      (n) =>
        `${plural(n, 'duplicate component was', 'duplicate components were')} merged (same package URL and locations)`,
    );
    say(
      'malformed',
      (n) =>
        `${plural(n, 'entry', 'entries')} of the component list ${n === 1 ? 'was' : 'were'} not a JSON object and skipped`,
    );
    return out;
  }
}
