/** Test helpers: the corpus files and a stable text rendering of a lint result. */
import { readdirSync, readFileSync } from 'node:fs';
import type { LintResult } from './lint.js';

export const testdata = new URL('./testdata/', import.meta.url);

/** `[name, text]` of every Dockerfile under testdata/<dir>/, sorted by name. */
export function dockerfiles(dir: 'corpus' | 'rules'): [string, string][] {
  const base = new URL(`${dir}/`, testdata);
  return readdirSync(base)
    .filter((f) => f.endsWith('.Dockerfile'))
    .sort()
    .map((f) => [f, readFileSync(new URL(f, base), 'utf8')]);
}

/** One line per finding (`rule severity line:col-line:col evidence`), then suppressed findings and stages. */
export function renderResult(r: LintResult): string {
  const out: string[] = [];
  const at = (l: {
    startLine?: number;
    startColumn?: number;
    endLine?: number;
    endColumn?: number;
  }): string => `${l.startLine}:${l.startColumn}-${l.endLine}:${l.endColumn}`;
  for (const f of r.findings) out.push(`${f.ruleId} ${f.severity} ${at(f.location)} ${f.evidence ?? ''}`);
  for (const s of r.suppressed) {
    out.push(
      `suppressed ${s.finding.ruleId} ${at(s.finding.location)} ${s.finding.evidence ?? ''} -- reason: ${s.reason}`,
    );
  }
  for (const s of r.stages) {
    const base = s.baseStage !== undefined ? ` on stage ${s.baseStage}` : '';
    out.push(
      `stage ${s.index}${s.name !== undefined ? ` ${s.name}` : ''} line ${s.line}: ${s.resolvedImage}${base}${s.final ? ' (final)' : ''}`,
    );
  }
  return out.join('\n') + '\n';
}
