import { formatCombos, type CombosOptions } from '../../../src-shared/report/combos.ts';
import { combosInputFor } from '../../inspector/experiment.ts';
import { getBoolean, getNumber, getString, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { experimentsFromArgs, EXPERIMENT_SOURCE_FLAGS } from '../experiment-cli.ts';

export const command: Command = {
  spec: {
    name: 'combos',
    summary:
      "Print the learned combinations of selected few classes and how their misclassifications change from the baseline to AlphaNet, as the original's run_showcombos.py: from an experiment in the store, or from result files (each file's network evaluated on the test set).",
    usage:
      'alphanet combos --experiment NAME [--dataset KEY] [--db FILE] [options]\n       alphanet combos --base-res-dir D [--rel-exp-path P] [--res-files-pattern GLOB] [--dataset KEY] [--config TOML] [options]',
    flags: [
      ...EXPERIMENT_SOURCE_FLAGS,
      {
        name: 'select-by',
        kind: 'string',
        help: 'rank few classes by mean AlphaNet accuracy or by its change from the baseline',
        choices: ['acc', 'acc_delta'],
        default: 'acc_delta',
      },
      { name: 'select-max', kind: 'boolean', help: 'largest first (--no-select-max: smallest first)', default: 'on' },
      { name: 'select-n', kind: 'integer', help: 'how many few classes to show', default: '5' },
      { name: 'mistake-n', kind: 'integer', help: 'misclassifications listed per class (default: all)' },
      {
        name: 'original-zero-entries',
        kind: 'boolean',
        help: "list mistakes made 0 times where the original's defaultdicts would",
      },
      // The original's flag, so its command lines run unchanged; the engine evaluates in one pass.
      {
        name: 'eval-batch-size',
        kind: 'integer',
        help: "accepted for the original's command lines; has no effect here",
      },
    ],
  },
  async run(args, io) {
    const selectN = getNumber(args, 'select-n') ?? 5;
    const mistakeN = getNumber(args, 'mistake-n') ?? null;
    if (selectN < 0 || (mistakeN !== null && mistakeN < 0))
      throw new UsageError('--select-n and --mistake-n must not be negative');
    const { ds, gs } = await experimentsFromArgs(args, io);
    const options: CombosOptions = {
      selectBy: getString(args, 'select-by') === 'acc' ? 'acc' : 'acc_delta',
      selectMax: getBoolean(args, 'select-max') !== false,
      selectN,
      mistakeN,
      originalZeroEntries: getBoolean(args, 'original-zero-entries') === true,
    };
    // A sweep: each config's report in turn, under its name (`rho sweep (ρ=0.5)`).
    const reports = gs.map((g) => formatCombos(combosInputFor(ds, g), options).replace(/\n$/, ''));
    io.out(gs.length === 1 ? reports[0] : gs.map((g, i) => `== ${g.experiment} ==\n\n${reports[i]}`).join('\n\n'));
    return 0;
  },
};
