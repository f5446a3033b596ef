/** fast-check generators of valid CVSS vector strings, for the cvss tests. */
import fc from 'fast-check';
import { V2_METRICS, V3_METRICS, V4_METRICS } from '../metrics.js';
import type { CvssVersion } from '../types.js';

type Table = Readonly<Record<string, readonly string[]>>;

const GRAMMARS: Readonly<Record<CvssVersion, { table: Table; mandatory: number; prefix: string }>> = {
  '2.0': { table: V2_METRICS, mandatory: 6, prefix: '' },
  '3.0': { table: V3_METRICS, mandatory: 8, prefix: 'CVSS:3.0' },
  '3.1': { table: V3_METRICS, mandatory: 8, prefix: 'CVSS:3.1' },
  '4.0': { table: V4_METRICS, mandatory: 11, prefix: 'CVSS:4.0' },
};

function join(prefix: string, components: readonly string[]): string {
  return [...(prefix ? [prefix] : []), ...components].join('/');
}

/** Every Base metric, and each optional metric left out or given any value (its "Not Defined" one too). */
export function componentsArb(version: CvssVersion): fc.Arbitrary<string[]> {
  const { table, mandatory } = GRAMMARS[version];
  const parts = Object.entries(table).map(([name, values], i) => {
    const value = fc.constantFrom(...values).map((v) => `${name}:${v}`);
    return i < mandatory ? value : fc.option(value, { nil: undefined });
  });
  return fc.tuple(...parts).map((list) => list.filter((c): c is string => c !== undefined));
}

/** A valid vector in specification order. */
export function vectorArb(version: CvssVersion): fc.Arbitrary<string> {
  return componentsArb(version).map((c) => join(GRAMMARS[version].prefix, c));
}

/** A valid vector with its metrics in any order. */
export function shuffledVectorArb(version: CvssVersion): fc.Arbitrary<string> {
  return componentsArb(version).chain((c) =>
    fc
      .shuffledSubarray(c, { minLength: c.length, maxLength: c.length })
      .map((s) => join(GRAMMARS[version].prefix, s)),
  );
}

/** A valid vector of any version, in any order. */
export const anyVectorArb: fc.Arbitrary<string> = fc.oneof(
  shuffledVectorArb('2.0'),
  shuffledVectorArb('3.0'),
  shuffledVectorArb('3.1'),
  shuffledVectorArb('4.0'),
);

/**
 * A v2 or v3 vector in specification order whose Temporal and Environmental
 * groups are each either absent or complete (values may be "Not Defined"),
 * the shape other implementations that score groups as a whole expect.
 */
export function groupedVectorArb(version: '2.0' | '3.0' | '3.1'): fc.Arbitrary<string> {
  const { table, mandatory, prefix } = GRAMMARS[version];
  const names = Object.keys(table);
  const group = (list: readonly string[]): fc.Arbitrary<string[]> =>
    fc.tuple(...list.map((n) => fc.constantFrom(...(table[n] ?? [])).map((v) => `${n}:${v}`)));
  const base = names.slice(0, mandatory);
  const temporal = names.slice(mandatory, mandatory + 3);
  const env = names.slice(mandatory + 3);
  return fc
    .tuple(group(base), fc.option(group(temporal), { nil: undefined }), fc.option(group(env), { nil: undefined }))
    .map(([b, t, e]) => join(prefix, [...b, ...(t ?? []), ...(e ?? [])]));
}

/** Every Base-only vector of a version, in specification order. */
export function allBaseVectors(version: CvssVersion): string[] {
  const { table, mandatory, prefix } = GRAMMARS[version];
  let out: string[][] = [[]];
  for (const [name, values] of Object.entries(table).slice(0, mandatory)) {
    out = out.flatMap((c) => values.map((v) => [...c, `${name}:${v}`]));
  }
  return out.map((c) => join(prefix, c));
}
