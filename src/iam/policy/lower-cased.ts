/**
 * Requests name a few hundred distinct actions and condition keys at most, so
 * lower-casing each once saves a string per evaluation; the bound keeps odd
 * names sent by clients from growing the cache.
 */
const lowerCasedNames = new Map<string, string>();
const LIMIT = 4096;

/** The name lower-cased (AWS's action and condition key names are case-insensitive). */
export function lowerCased(name: string): string {
  let lower = lowerCasedNames.get(name);
  if (lower === undefined) {
    if (lowerCasedNames.size >= LIMIT) lowerCasedNames.clear();
    lower = name.toLowerCase();
    lowerCasedNames.set(name, lower);
  }
  return lower;
}
