import fs from 'node:fs';
import path from 'node:path';
import type { SavedNetwork } from '../../../src-shared/result.ts';
import { asSavedNetwork, evaluateNetwork, networkFromOriginalResult } from '../../engine/network.ts';
import { FileFormatError, UserError } from '../../errors.ts';
import { readPythonFile } from '../../formats/read.ts';
import { getList, getNumber, getString, requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { BACKEND_FLAG, backendOf, cacheRootOf, DATASET_FLAGS, loadDatasetArg, splitTable } from '../engine-cli.ts';

/**
 * A network from `file`: our JSON (a `train --save-file` result, or a bare network), else one of the
 * original's torch result files.
 */
export async function readNetworkFile(file: string): Promise<SavedNetwork> {
  let head: string;
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    fs.closeSync(fd);
    head = buf.subarray(0, n).toString('utf8').trimStart();
  } catch (error) {
    throw new FileFormatError(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (head.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new FileFormatError(file, `invalid JSON (${(error as Error).message})`);
    }
    const network = (value as { network?: unknown }).network;
    if (network === null) throw new FileFormatError(file, 'this result holds no network (a baseline?)');
    return asSavedNetwork(network ?? value, file);
  }
  return networkFromOriginalResult(await readPythonFile(file, { placeholders: 'result-file' }), file);
}

export const command: Command = {
  spec: {
    name: 'eval',
    summary:
      'Evaluate a trained AlphaNet network (a `train --save-file` result, or an original result file) on a dataset.',
    usage: 'alphanet eval --dataset KEY --weights FILE [--save-file FILE]',
    flags: [
      ...DATASET_FLAGS,
      {
        name: 'weights',
        kind: 'string',
        help: "the trained network: our result/network JSON or the original's torch result file",
      },
      { name: 'datagrps', kind: 'list', help: "datagrps to evaluate (default: all of the dataset's)" },
      { name: 'pred-scale', kind: 'number', help: 'factor on every logit', default: '1' },
      { name: 'save-file', kind: 'string', help: 'write {evals, alphas} as JSON to this file' },
      BACKEND_FLAG,
    ],
  },
  async run(args, io) {
    const weights = path.resolve(io.cwd, requireString(args, 'weights'));
    const network = await readNetworkFile(weights);
    const wanted = getList(args, 'datagrps');
    const ds = await loadDatasetArg(args, io, wanted);
    const evaluation = await evaluateNetwork(ds, network, {
      datagrps: wanted,
      backend: backendOf(args),
      predScale: getNumber(args, 'pred-scale') ?? 1,
      cacheRoot: cacheRootOf(args, io),
    });
    if (Object.keys(evaluation.evals).length === 0) throw new UserError('nothing to evaluate');
    io.out(`backend: ${evaluation.backend}`);
    io.out(`Accuracy (%) of the network in ${path.basename(weights)} on '${ds.spec.key}':`);
    io.out(splitTable(Object.entries(evaluation.evals).map(([name, metrics]) => ({ name, metrics }))));
    const saveFile = getString(args, 'save-file');
    if (saveFile !== undefined) {
      const file = path.resolve(io.cwd, saveFile);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(
        file,
        `${JSON.stringify({ dataset: ds.spec.key, weights, backend: evaluation.backend, evals: evaluation.evals, alphas: evaluation.alphas }, null, 1)}\n`,
      );
      io.out(`saved ${saveFile}`);
    }
    return 0;
  },
};
