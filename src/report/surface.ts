/**
 * The attack-surface summary of a scan, for people: the minimality score,
 * what it lost points for, the largest packages and paths, and the concrete
 * suggestion. Read defensively (the value may come from a JSON file): a
 * malformed surface renders as nothing rather than throwing.
 */
import { safeText } from './text.js';

/** What the summary needs of an attack surface (the image checks' `AttackSurface` has this shape). */
export interface SurfaceSummary {
  /** 0–100, 100 = minimal. */
  readonly score: number;
  readonly packages: { readonly count: number; readonly bytes: number };
  readonly penalties: readonly { readonly reason: string; readonly points: number }[];
  readonly contributors: readonly {
    readonly kind: 'package' | 'path';
    readonly name: string;
    readonly bytes: number;
    readonly files: number;
    readonly layer?: number;
  }[];
  readonly suggestion?: string;
}

const SHOWN_CONTRIBUTORS = 5;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function str(v: unknown, max = 512): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = [...v];
  return safeText(t.length > max ? `${t.slice(0, max - 1).join('')}…` : v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function field(o: unknown, k: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined;
}

/** The summary as indented lines under a heading, newline-terminated; empty for a malformed surface. */
export function renderSurfaceText(surface: SurfaceSummary | undefined): string {
  const score = num(field(surface, 'score'));
  if (score === undefined) return '';
  const pk = field(surface, 'packages');
  const count = num(field(pk, 'count'));
  const bytes = num(field(pk, 'bytes'));
  const lines = [
    `Attack surface: minimality ${Math.round(score)}/100 (100 = minimal)${
      count !== undefined
        ? `, ${count} OS package${count === 1 ? '' : 's'}${bytes ? ` (${mb(bytes)})` : ''}`
        : ''
    }`,
  ];
  const penalties = list(field(surface, 'penalties'))
    .map((p) => {
      const reason = str(field(p, 'reason'), 128);
      const points = num(field(p, 'points'));
      return reason !== undefined && points !== undefined ? `${reason} (−${points})` : undefined;
    })
    .filter((p): p is string => p !== undefined);
  if (penalties.length > 0) lines.push(`  lost points for: ${penalties.join(', ')}`);
  const largest = list(field(surface, 'contributors'))
    .slice(0, SHOWN_CONTRIBUTORS)
    .map((c) => {
      const name = str(field(c, 'name'), 128);
      const size = num(field(c, 'bytes'));
      if (name === undefined || size === undefined) return undefined;
      const layer = num(field(c, 'layer'));
      return `${name} ${mb(size)}${layer !== undefined ? ` (layer ${layer})` : ''}`;
    })
    .filter((c): c is string => c !== undefined);
  if (largest.length > 0) lines.push(`  largest: ${largest.join(', ')}`);
  const suggestion = str(field(surface, 'suggestion'), 1024);
  if (suggestion !== undefined) lines.push(`  suggestion: ${suggestion}`);
  return `${lines.join('\n')}\n`;
}
