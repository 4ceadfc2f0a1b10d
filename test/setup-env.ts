import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Tests (and the CLI processes they spawn) must never write into the user's real app folder.
if (!process.env.ALPHANET_DATA_DIR) {
  process.env.ALPHANET_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-test-data-'));
}
