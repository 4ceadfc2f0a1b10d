/**
 * Electron fuses: switches compiled into the Electron binary that turn features off for good (unlike
 * command-line flags, the app cannot be talked out of them). `npm run dist` flips them
 * (electron-builder.ts); a binary packaged otherwise gets them with `node bin/run-ts.mjs
 * scripts/electron-fuses.ts <packaged Electron binary>` (DEVELOPERS.md). The development binary in
 * node_modules keeps its defaults, since `npm start` loads the app from a folder.
 */

/** The fuse wire format of @electron/fuses, version 1: this sentinel, a version byte, a count, then one byte per fuse. */
const SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX', 'ascii');
const WIRE_VERSION = 1;

/** Fuse positions in wire version 1 (FuseV1Options). */
export const FUSE_INDEX = {
  runAsNode: 0,
  enableCookieEncryption: 1,
  enableNodeOptionsEnvironmentVariable: 2,
  enableNodeCliInspectArguments: 3,
  enableEmbeddedAsarIntegrityValidation: 4,
  onlyLoadAppFromAsar: 5,
  loadBrowserProcessSpecificV8Snapshot: 6,
  grantFileProtocolExtraPrivileges: 7,
} as const;

export type FuseName = keyof typeof FUSE_INDEX;

/**
 * The workbench's fuses: the binary cannot be run as plain Node (ELECTRON_RUN_AS_NODE) or opened to a
 * debugger from the command line (--inspect), NODE_OPTIONS is ignored, and the app is loaded only from
 * its asar archive (whose integrity is checked), so files beside it cannot replace it.
 */
export const WORKBENCH_FUSES: Partial<Record<FuseName, boolean>> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

/**
 * Sets `fuses` in an Electron binary's bytes in place; returns how many bytes changed. Throws when
 * the fuse block is missing, ambiguous or of another wire version, or a fuse was removed from this
 * build, rather than writing anywhere else.
 */
export function flipFuses(binary: Uint8Array, fuses: Partial<Record<FuseName, boolean>>): number {
  const bytes = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
  const at = bytes.indexOf(SENTINEL);
  if (at < 0) throw new Error('no fuse block in this file: is it an Electron binary?');
  if (bytes.indexOf(SENTINEL, at + 1) >= 0) throw new Error('more than one fuse block in this file');
  const version = bytes[at + SENTINEL.length];
  if (version !== WIRE_VERSION)
    throw new Error(`fuse wire version ${version}, this script knows version ${WIRE_VERSION}`);
  const count = bytes[at + SENTINEL.length + 1];
  const first = at + SENTINEL.length + 2;
  let changed = 0;
  for (const [name, on] of Object.entries(fuses) as [FuseName, boolean][]) {
    const index = FUSE_INDEX[name];
    if (index >= count) throw new Error(`this Electron has ${count} fuses, not fuse ${name} (#${index})`);
    const current = bytes[first + index];
    if (current !== 0x30 && current !== 0x31)
      throw new Error(`fuse ${name} is removed from this build (byte ${current})`);
    const wanted = on ? 0x31 : 0x30;
    if (current !== wanted) {
      bytes[first + index] = wanted;
      changed++;
    }
  }
  return changed;
}
