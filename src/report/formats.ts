/**
 * The report formats, in one typed table: the CLI's `--format` choices, the
 * API's content negotiation and the golden tests all read it.
 */
import type { Inventory } from '../inventory/types.js';
import { renderCycloneDx } from './cyclonedx.js';
import { renderJson } from './json.js';
import type { RenderOptions } from './options.js';
import { renderSpdx } from './spdx.js';
import { renderTable } from './table.js';

export type FormatName = 'cyclonedx' | 'spdx' | 'json' | 'table';

export interface ReportFormat {
  readonly name: FormatName;
  readonly description: string;
  /** IANA media type of the output. */
  readonly mediaType: string;
  /** Conventional file-name suffix. */
  readonly fileExtension: string;
  /** Renders the inventory; each format reads the options it knows and ignores the rest. */
  readonly render: (inv: Inventory, opts?: RenderOptions) => string;
}

export const formats: { readonly [K in FormatName]: ReportFormat & { readonly name: K } } = Object.freeze({
  cyclonedx: {
    name: 'cyclonedx',
    description: 'CycloneDX 1.6 JSON SBOM',
    mediaType: 'application/vnd.cyclonedx+json; version=1.6',
    fileExtension: '.cdx.json',
    render: (inv: Inventory, opts: RenderOptions = {}) => renderCycloneDx(inv, opts),
  },
  spdx: {
    name: 'spdx',
    description: 'SPDX 2.3 JSON SBOM',
    mediaType: 'application/spdx+json',
    fileExtension: '.spdx.json',
    render: (inv: Inventory, opts: RenderOptions = {}) => renderSpdx(inv, opts),
  },
  json: {
    name: 'json',
    description: 'mamori inventory JSON',
    mediaType: 'application/json',
    fileExtension: '.json',
    render: (inv: Inventory) => renderJson(inv),
  },
  table: {
    name: 'table',
    description: 'human-readable table',
    mediaType: 'text/plain; charset=utf-8',
    fileExtension: '.txt',
    render: (inv: Inventory, opts: RenderOptions = {}) => renderTable(inv, opts),
  },
});

/** Format names in display order. */
export const formatNames: readonly FormatName[] = Object.freeze(Object.keys(formats) as FormatName[]);

export function isFormatName(s: unknown): s is FormatName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(formats, s);
}
