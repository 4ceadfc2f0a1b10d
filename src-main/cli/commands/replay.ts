import fs from 'node:fs';
import path from 'node:path';
import { replayDifferences, replayTraining } from '../../engine/replay.ts';
import { getString, requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { BACKEND_FLAG, backendOf, cacheRootOf, DATASET_FLAGS, loadDatasetArg } from '../engine-cli.ts';

export const command: Command = {
  spec: {
    name: 'replay',
    summary:
      "Replay a training run recorded from the original code (a folder with replay.json and init.pth) through our training step: the same initial weights, batches and optimiser; writes every step's loss, α per epoch and the weights after the recorded epochs.",
    usage: 'alphanet replay DIR --dataset KEY [--config F] --out OUT.json',
    positionals: ['DIR'],
    flags: [
      ...DATASET_FLAGS,
      {
        name: 'out',
        kind: 'string',
        help: 'write {losses, epochs: {epoch: {state-dict key: values}}, alphas: {epoch: {few class: α}}} here',
      },
      BACKEND_FLAG,
    ],
  },
  async run(args, io) {
    const dir = path.resolve(io.cwd, args.positionals[0]);
    const outFile = path.resolve(io.cwd, requireString(args, 'out'));
    const ds = await loadDatasetArg(args, io, ['train']);
    const out = await replayTraining(ds, dir, { backend: backendOf(args), cacheRoot: cacheRootOf(args, io) });
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(out)}\n`);
    const diff = await replayDifferences(dir, out);
    io.out(
      `replayed ${out.losses.length} steps of ${path.basename(dir)} on '${ds.spec.key}'; wrote ${getString(args, 'out')}`,
    );
    io.out('largest difference from the recording:');
    io.out(`  loss per step        ${diff.loss.toExponential(2)}`);
    io.out(`  α per epoch          ${diff.alpha.toExponential(2)}`);
    io.out(`  trained weights      ${diff.weight.toExponential(2)}`);
    io.out(`  frozen tensors       ${diff.frozen === 0 ? 'identical' : diff.frozen.toExponential(2)}`);
    return 0;
  },
};
