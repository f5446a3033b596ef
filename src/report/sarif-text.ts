/**
 * The texts of mamori's SARIF: result messages, rule help in plain text and
 * Markdown, and artifact URIs. Every value taken from a finding is made
 * display-safe first (control and bidi characters shown as `\u{…}` escapes,
 * so a summary cannot fake lines or reorder what a viewer shows), and
 * Markdown punctuation in it is escaped, so it cannot inject links or HTML.
 */
import { posix } from 'node:path';
import type { LayerRef } from '../core/index.js';
import type { InventoryLayer } from '../inventory/types.js';
import { cut, type FindingView, type RuleFindingView } from './findings-view.js';
import { ruleLocationText } from './findings-table.js';
import { safeText } from './text.js';

/** GitHub code scanning's limit for `shortDescription` and `fullDescription`. */
export const MAX_DESCRIPTION = 1024;
/** Summaries in help and messages. */
const MAX_HELP_SUMMARY = 4096;
/** Packages listed in a vulnerability rule's help. */
const MAX_HELP_ROWS = 20;

/** Display-safe text, cut to `max`. */
export function plain(s: string, max = MAX_HELP_SUMMARY): string {
  return cut(safeText(s), max);
}

/** Display-safe text with Markdown punctuation escaped. */
export function md(s: string, max = MAX_HELP_SUMMARY): string {
  return plain(s, max).replace(/[\\`*_{}[\]()#+\-.!|<>~&"]/g, '\\$&');
}

/** RFC 3986 path characters kept as they are (`:` is escaped so a first segment never reads as a scheme). */
const PATH_SAFE: Readonly<Record<string, string>> = {
  '%2B': '+',
  '%40': '@',
  '%3D': '=',
  '%2C': ',',
  '%24': '$',
  '%26': '&',
  '%3B': ';',
};

/**
 * A file path as a relative URI reference: an absolute path inside the image
 * loses its leading `/` (as Trivy writes image paths), `.` and `..` segments
 * are resolved, and every segment is percent-encoded.
 */
export function artifactUri(path: string): string {
  const abs = path.startsWith('/');
  let p = posix.normalize(path);
  if (abs) p = p.replace(/^\/+/, '');
  if (p === '' || p === '.' || p === './') p = '.';
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%(2B|40|3D|2C|24|26|3B)/g, (m) => PATH_SAFE[m] ?? m))
    .join('/');
}

/** `N (sha256:…)` and, when the image config records it, the instruction that made the layer. */
export function layerText(layer: LayerRef, layers: readonly InventoryLayer[]): string {
  const createdBy = layers.find((l) => l.index === layer.index)?.createdBy;
  const by = typeof createdBy === 'string' && createdBy.length > 0 ? `: ${plain(createdBy, 200)}` : '';
  return `${layer.index} (${plain(layer.diffId, 200)})${by}`;
}

function fixedText(f: FindingView): string {
  if (f.status === 'fixed' && f.fixedVersions.length > 0)
    return f.fixedVersions.map((v) => plain(v, 256)).join(', ');
  return f.status === 'undetermined' ? '(undetermined)' : '(no fix yet)';
}

function suppressionLines(f: FindingView): string[] {
  const s = f.suppression;
  if (s === undefined) return [];
  return [`Suppressed (${s.status}) by ${plain(s.source, 256)}: ${plain(s.reason, 1024)}`];
}

/** The result message: the first line says it all, the rest is detail. */
export function vulnMessage(f: FindingView, url: string, layers: readonly InventoryLayer[]): string {
  const name = plain(f.pkg.name, 256);
  const version = plain(f.pkg.version, 256);
  const id = plain(f.id, 256);
  const fix =
    f.status === 'fixed' && f.fixedVersions.length > 0
      ? `fixed in ${fixedText(f)}`
      : f.status === 'undetermined'
        ? 'fix undetermined'
        : 'no fix yet';
  return [
    `${id} (${f.severity}) in ${name} ${version}: ${fix}`,
    `Package: ${name} (${plain(f.pkg.type, 64)})`,
    `Installed Version: ${version}`,
    `Fixed Version: ${fixedText(f)}`,
    `Vulnerability: ${id}`,
    `Severity: ${f.severity}`,
    ...(f.pkg.layer ? [`Layer: ${layerText(f.pkg.layer, layers)}`] : []),
    ...(f.pkg.locations[0] ? [`Location: ${plain(f.pkg.locations[0].path, 1024)}`] : []),
    ...suppressionLines(f),
    `Link: [${id}](${url})`,
  ].join('\n');
}

/** Rule help for a vulnerability: what it is, where to read more, and the packages it affects here. */
export function vulnHelp(group: readonly FindingView[], url: string): { text: string; markdown: string } {
  const first = group[0] as FindingView;
  const summary = group.find((f) => f.summary !== undefined)?.summary ?? '';
  const rows = group.slice(0, MAX_HELP_ROWS);
  const more = group.length - rows.length;
  const aliases = first.aliases.length > 0 ? first.aliases.slice(0, 20) : [];
  const text = [
    `Vulnerability ${plain(first.id, 256)}`,
    ...(aliases.length > 0 ? [`Aliases: ${aliases.map((a) => plain(a, 256)).join(', ')}`] : []),
    ...rows.map(
      (f) =>
        `Package: ${plain(f.pkg.name, 256)} ${plain(f.pkg.version, 256)} | Severity: ${f.severity} | Fixed Version: ${fixedText(f)}`,
    ),
    ...(more > 0 ? [`… and ${more} more`] : []),
    `Link: ${url}`,
    ...(summary ? ['', plain(summary)] : []),
  ].join('\n');
  const markdown = [
    `**Vulnerability ${md(first.id, 256)}**`,
    ...(aliases.length > 0 ? ['', `Aliases: ${aliases.map((a) => md(a, 256)).join(', ')}`] : []),
    '',
    '| Package | Installed Version | Severity | Fixed Version |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (f) =>
        `| ${md(f.pkg.name, 256)} | ${md(f.pkg.version, 256)} | ${f.severity} | ${md(fixedText(f), 1024)} |`,
    ),
    ...(more > 0 ? ['', `… and ${more} more`] : []),
    '',
    `[${md(first.id, 256)}](${url})`,
    ...(summary ? ['', md(summary)] : []),
  ].join('\n');
  return { text, markdown };
}

/** The result message of a rule finding. */
export function ruleMessage(r: RuleFindingView, layers: readonly InventoryLayer[]): string {
  return [
    `${plain(r.title, 1024)} (${r.severity})`,
    `Rule: ${plain(r.ruleId, 256)}`,
    `Location: ${plain(ruleLocationText(r.location), 2048)}`,
    ...(r.location.layer ? [`Layer: ${layerText(r.location.layer, layers)}`] : []),
    ...(r.evidence !== undefined ? [`Evidence: ${plain(r.evidence, 1024)}`] : []),
    ...(r.fix !== undefined ? [`Fix: ${plain(r.fix, 1024)}`] : []),
  ].join('\n');
}

/** Rule help for a secret or misconfiguration rule. */
export function ruleHelp(r: RuleFindingView): { text: string; markdown: string } {
  const refs = r.references.slice(0, 10);
  const kind = r.kind === 'secret' ? 'Secret' : 'Misconfiguration';
  const text = [
    `${kind} ${plain(r.ruleId, 256)}: ${plain(r.title, 1024)}`,
    `Severity: ${r.severity}`,
    ...(r.rationale ? [`Why: ${plain(r.rationale)}`] : []),
    ...(r.fix !== undefined ? [`Fix: ${plain(r.fix)}`] : []),
    ...refs.map((u) => `See: ${plain(u, 2048)}`),
  ].join('\n');
  const markdown = [
    `**${kind} ${md(r.ruleId, 256)}**: ${md(r.title, 1024)}`,
    '',
    `Severity: ${r.severity}`,
    ...(r.rationale ? ['', md(r.rationale)] : []),
    ...(r.fix !== undefined ? ['', `Fix: ${md(r.fix)}`] : []),
    ...(refs.length > 0 ? ['', ...refs.map((u) => `- ${md(u, 2048)}`)] : []),
  ].join('\n');
  return { text, markdown };
}
