/** Small helpers shared by the comparers. */

/** -1, 0 or 1. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Orders strings by UTF-16 code units (Java's and JavaScript's order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders strings by their UTF-8 bytes (C's strcmp and memcmp). */
export function compareBytes(a: string, b: string): number {
  return sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** Compares two non-empty runs of ASCII digits as unbounded integers. */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareText(x, y);
}

/**
 * Builds a total order from a parser and an order on parsed values: parsed
 * values by `order`, unparseable strings before every parsed one and among
 * themselves by their text.
 */
export function orderParsed<T>(
  parse: (v: string) => T | undefined,
  order: (a: T, b: T) => number,
): (a: string, b: string) => number {
  return (a, b) => {
    const pa = parse(a);
    const pb = parse(b);
    if (pa === undefined || pb === undefined) {
      if (pa !== undefined) return 1;
      if (pb !== undefined) return -1;
      return compareText(a, b);
    }
    return sign(order(pa, pb));
  };
}
