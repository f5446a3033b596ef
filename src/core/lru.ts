/** Sets `key` in a Map used as a least-recently-used cache: the entry moves to the end, the oldest goes beyond `max`. */
export function lruSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}
