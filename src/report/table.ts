/**
 * The human table: one row per package, sorted by name, version and type,
 * columns as wide as their widest cell. Cells are made terminal-safe (control
 * and bidi characters escaped) whatever the colour setting.
 */
import type { Inventory } from '../inventory/types.js';
import { compareStrings, checkInventory } from './model.js';
import type { TableOptions } from './options.js';
import { displayWidth, safeText } from './text.js';

const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';
const GAP = '   ';

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

/** `index (12 hex digits of the diff ID)`, the short form `docker history` users know. */
function shortLayer(l: unknown): string {
  if (typeof l !== 'object' || l === null) return '';
  const { index, diffId } = l as { index?: unknown; diffId?: unknown };
  const hex =
    typeof diffId === 'string' ? diffId.slice(diffId.indexOf(':') + 1, diffId.indexOf(':') + 13) : '';
  const idx = str(index);
  return hex ? `${idx} (${hex})` : idx;
}

function rowsOf(inv: Inventory, wide: boolean): string[][] {
  const rows = inv.packages
    .filter((p) => typeof p === 'object' && p !== null)
    .map((p) => {
      const row = [str(p.name), str(p.version), str(p.type)];
      if (wide) {
        const locs = Array.isArray(p.locations) ? p.locations : [];
        const first = str(locs[0]?.path);
        row.push(
          shortLayer(p.layer ?? locs[0]?.layer),
          locs.length > 1 ? `${first} (+${locs.length - 1})` : first,
        );
      }
      return row.map(safeText);
    });
  return rows.sort((a, b) => {
    for (let i = 0; i < a.length; i++) {
      const c =
        compareStrings((a[i] ?? '').toLowerCase(), (b[i] ?? '').toLowerCase()) ||
        compareStrings(a[i] ?? '', b[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Aligns rows under a header, columns as wide as their widest cell (display width); newline-terminated. */
export function formatColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  color: boolean,
): string {
  const widths = header.map((h) => displayWidth(h));
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(c))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - displayWidth(c))))
      .join(GAP)
      .trimEnd();
  const head = line(header);
  const out = [color ? `${BOLD}${head}${RESET}` : head];
  for (const r of rows) out.push(line(r));
  return `${out.join('\n')}\n`;
}

/** Renders the inventory as an aligned text table (newline-terminated). */
export function renderTable(inv: Inventory, opts: TableOptions = {}): string {
  checkInventory(inv);
  const wide = opts.wide === true;
  const header = wide ? ['NAME', 'VERSION', 'TYPE', 'LAYER', 'LOCATION'] : ['NAME', 'VERSION', 'TYPE'];
  const rows = rowsOf(inv, wide);
  if (rows.length === 0) return 'No packages found.\n';
  return formatColumns(header, rows, opts.color === true);
}
