/** A value that survives `JSON.stringify` → `JSON.parse` unchanged (the store's JSON columns hold these). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };
