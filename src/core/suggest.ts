/** "Did you mean …?" for mistyped keys, ids and values. */
/** Edit distance (insert, delete, substitute), capped at `limit + 1` to stay cheap on long input. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const v = Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1);
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}

/** Lower case without `_` and `-`: `access_key_id` and `accessKeyId` compare equal. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[_-]/g, '');
}

/**
 * The candidate closest to a mistyped word (case, `_`/`-` and up to a third
 * of its letters may differ), or undefined when none is close.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = fold(word.slice(0, 100));
  let best: string | undefined;
  let bestScore = Math.max(1, Math.floor(w.length / 3));
  for (const c of candidates) {
    const d = distance(w, fold(c), bestScore);
    if (d < bestScore || (d === bestScore && best === undefined)) {
      best = c;
      bestScore = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${JSON.stringify(c)}?)`;
}
