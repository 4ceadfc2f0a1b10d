/**
 * The hostile inputs of issue 14 at their real sizes, each through the CLI in its own process
 * (`alphanet inspect FILE`, `alphanet validate` for the label-names device): wall time, peak RSS and
 * the one line it ends with. `node bin/run-ts.mjs bench/hostile.ts` (needs /usr/bin/time; writes
 * ~30 MB of files to a temporary folder; generating the 3 GB deflate streams takes a few seconds).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDeflateRaw } from 'node:zlib';
import { pickleValue } from '../src-main/formats/write.ts';
import {
  buildNpy,
  buildSafetensors,
  buildZip,
  SELF_REFERENCING_KEY,
  sharedKeyDag,
} from '../test/support/hostile-files.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-hostile-bench-'));

/** A raw deflate stream of `bytes` zeros after `head`, built in 1 MiB steps (never held whole). */
async function deflatedZeros(head: Uint8Array, bytes: number): Promise<Uint8Array> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  deflate.write(head);
  const chunk = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    if (!deflate.write(left >= chunk.length ? chunk : chunk.subarray(0, left)))
      await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

/** A zip whose entries' deflated data is `body` (already compressed), claiming `size` bytes each; `names` > 1 share it. */
function zipOfDeflated(names: string[], body: Uint8Array, size: number): Uint8Array {
  // Build with a placeholder STORED entry, then patch method and sizes (buildZip deflates for us otherwise).
  const zip = Buffer.from(
    buildZip([{ name: names[0], data: body }, ...names.slice(1).map((name) => ({ name, data: body, shareWith: 0 }))]),
  );
  const patch = (sig: number, methodAt: number, sizeAt: number) => {
    for (
      let at = zip.indexOf(Buffer.from(new Uint32Array([sig]).buffer));
      at >= 0;
      at = zip.indexOf(Buffer.from(new Uint32Array([sig]).buffer), at + 4)
    ) {
      zip.writeUInt16LE(8, at + methodAt);
      zip.writeUInt32LE(size >>> 0 === size ? size : 0xffffffff, at + sizeAt);
    }
  };
  patch(0x04034b50, 8, 22);
  patch(0x02014b50, 10, 24);
  return new Uint8Array(zip);
}

async function cases(): Promise<{ name: string; args: string[] }[]> {
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  const fifo = path.join(dir, 'pipe.pkl');
  execFileSync('mkfifo', [fifo]);
  const toml = path.join(dir, 'datasets.toml');
  fs.writeFileSync(
    toml,
    `[zero]\nsplit_files_dir = "${path.join(ROOT, 'test/fixtures/tinylt/splits')}"\nfeature_files_dir = "${path.join(ROOT, 'test/fixtures/tinylt/features/synth')}"\nclassifier_file = "${path.join(ROOT, 'test/fixtures/tinylt/classifiers/synth.pth')}"\nclassifier_loader = "LinearClassifierLoader"\nnn_files_dir = "nns"\nbaseline_eval_file = "baseline.pkl"\nlabel_names_file = "/dev/zero"\n`,
  );
  const pkl = pickleValue(1);
  const GiB = 2 ** 30;
  const bomb3 = await deflatedZeros(pkl, 3 * GiB - pkl.length);
  const npyHead = buildNpy([(3 * GiB) / 4 - 32], '<f4', new Uint8Array(0));
  const npzBomb = await deflatedZeros(npyHead, 3 * GiB - npyHead.length - 128);
  const shared = await deflatedZeros(buildNpy([GiB / 4 - 32], '<f4', new Uint8Array(0)), GiB - 256);
  const size = 64 * 2 ** 20;
  const overlapping = Object.fromEntries(
    Array.from({ length: 40 }, (_, i) => [
      `t${i}`,
      { dtype: 'F32', shape: [size / 4], offsets: [0, size] as [number, number] },
    ]),
  );
  return [
    { name: '/dev/zero as a file to inspect', args: ['inspect', '/dev/zero'] },
    { name: 'a FIFO as a file to inspect', args: ['inspect', fifo] },
    { name: 'label_names_file = "/dev/zero" (validate)', args: ['validate', '--dataset', 'zero', '--config', toml] },
    { name: '16-byte self-referencing tuple key', args: ['inspect', write('key.pkl', SELF_REFERENCING_KEY)] },
    { name: 'memo DAG of 40 shared keys', args: ['inspect', write('dag.pkl', sharedKeyDag(40))] },
    { name: 'memo DAG of 30 shared keys', args: ['inspect', write('dag30.pkl', sharedKeyDag(30))] },
    {
      name: `torch zip, data.pkl inflating to 3 GB (${(bomb3.length / 2 ** 20).toFixed(1)} MB file)`,
      args: ['inspect', write('bomb.pt', zipOfDeflated(['archive/data.pkl'], bomb3, 3 * GiB))],
    },
    {
      name: `.npz entry inflating to 3 GB`,
      args: ['inspect', write('bomb.npz', zipOfDeflated(['a.npy'], npzBomb, 3 * GiB - 128))],
    },
    {
      name: '.npz, 4 entries sharing one 1 GiB stream',
      args: [
        'inspect',
        write('shared.npz', zipOfDeflated(['a.npy', 'b.npy', 'c.npy', 'd.npy'], shared, GiB - 256 + 128)),
      ],
    },
    {
      name: 'safetensors, 40 tensors over the same 64 MB',
      args: ['inspect', write('overlap.safetensors', buildSafetensors(overlapping, size))],
    },
    { name: '.npy of shape (100000000, 0)', args: ['inspect', write('e1.npy', buildNpy([100_000_000, 0]))] },
    { name: '.npy of shape (2**40, 0)', args: ['inspect', write('e2.npy', buildNpy([2 ** 40, 0]))] },
  ];
}

try {
  const all = await cases();
  console.log('| case | exit | wall (s) | peak RSS (MB) | last line |\n|---|---:|---:|---:|---|');
  for (const { name, args } of all) {
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', 'TIME %e %M', process.execPath, path.join(ROOT, 'bin/alphanet.mjs'), ...args],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, ALPHANET_DATA_DIR: path.join(dir, 'app') },
      },
    );
    const [, wall, kb] = /TIME (\S+) (\d+)/.exec(run.stderr) ?? [];
    const lines = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('TIME ') && !/^(=+|Hi, looks like|Command exited)/.test(l));
    const last = (lines.at(-1) ?? '').replaceAll(dir, '…').replace(/\|/g, '\\|').slice(0, 140);
    console.log(
      `| ${name} | ${run.status ?? run.signal} | ${wall ?? '>120'} | ${kb ? (Number(kb) / 1024).toFixed(0) : '?'} | ${last} |`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
