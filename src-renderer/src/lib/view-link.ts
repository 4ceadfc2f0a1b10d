/**
 * What the views whose screen lives in the link (Curves, Compare) share: reading a link's values
 * (a bad value in a hand-edited link is ignored, never fatal) and splitting a screen's query into the
 * settings remembered for the data folder and the rest.
 */

/** `1`/`0` flags: absent or anything else leaves the caller's value. */
export function flagOf(value: string | undefined): boolean | undefined {
  return value === '1' ? true : value === '0' ? false : undefined;
}

/** A value from a fixed list, or undefined. */
export function choiceOf<T extends string>(value: string | undefined, choices: readonly T[]): T | undefined {
  return (choices as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
}

/** Run ids from `3,4,9`; anything not a positive whole number is dropped. */
export function idsOf(value: string): number[] {
  return value
    .split(',')
    .map(Number)
    .filter((id) => Number.isInteger(id) && id > 0);
}

/** The query's entries named in `keys` (the settings a view remembers for the data folder). */
export function pick(query: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([k]) => keys.includes(k)));
}
