/**
 * The view settings remembered per data folder (`preferencesFile()`), so the desktop app and every
 * browser on a served folder open the same way. Kept beside the data rather than in a browser's
 * storage, which is per origin: a port, or every desktop data folder at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PREFERENCE_SCOPES, type Api, type PreferenceScope, type Preferences } from '../../../src-shared/api.ts';
import { UserError } from '../../errors.ts';
import { preferenceValues } from '../validate.ts';
import type { Handlers } from './context.ts';

function readPreferences(file: string): Preferences {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const out: Preferences = {};
    // Scopes this version does not know (a newer one wrote them) are left out, not refused.
    for (const scope of PREFERENCE_SCOPES)
      if (raw[scope] !== undefined) out[scope] = preferenceValues(raw[scope], scope);
    return out;
  } catch (error) {
    throw new UserError(`${file}: ${(error as Error).message}; fix or delete it`);
  }
}

function writePreferences(file: string, scope: PreferenceScope, values: Record<string, string>): Preferences {
  const next = { ...readPreferences(file), [scope]: values };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  fs.renameSync(tmp, file);
  return next;
}

export function preferenceHandlers(h: Handlers): Pick<Api, 'getPreferences' | 'setPreferences'> {
  return {
    async getPreferences() {
      return readPreferences(h.preferencesFile);
    },

    async setPreferences({ scope, values }) {
      return writePreferences(h.preferencesFile, scope, values);
    },
  };
}
