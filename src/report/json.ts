/**
 * mamori's own JSON: the Inventory value as it is, with a stable key order so
 * that equal inventories give byte-identical files. Keys listed in KEY_ORDER
 * come first in that order (`schemaVersion` leads the document); all other
 * keys follow in code-point order. Array order is kept: it is meaningful
 * (package order, primary location first).
 */
import { MamoriError } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { checkInventory, compareStrings } from './model.js';

const KEY_ORDER = [
  'schemaVersion',
  'source',
  'distro',
  'packages',
  'warnings',
  'name',
  'version',
  'type',
  'purl',
  'kind',
];
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));
/** Deepest nesting written; an inventory is a handful of levels deep, so more means a hostile value. */
const MAX_DEPTH = 64;

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? KEY_ORDER.length;
  const rb = RANK.get(b) ?? KEY_ORDER.length;
  return ra - rb || compareStrings(a, b);
}

function ordered(v: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new MamoriError('LIMIT_EXCEEDED', 'inventory nests too deeply to render');
  if (Array.isArray(v)) return v.map((x: unknown) => ordered(x, depth + 1));
  if (typeof v !== 'object' || v === null) return v;
  // No prototype, so a hostile "__proto__" key stays a plain key.
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v).sort(compareKeys)) {
    out[k] = ordered((v as Record<string, unknown>)[k], depth + 1);
  }
  return out;
}

/** Renders the inventory as mamori JSON (2-space indented, newline-terminated). */
export function renderJson(inv: Inventory): string {
  checkInventory(inv);
  return `${JSON.stringify(ordered(inv, 0), null, 2)}\n`;
}
