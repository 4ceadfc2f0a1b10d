/**
 * `npm run fuzz [-- MUTANTS [HOSTILES [SEED]]]`: a longer fuzz run than CI's (default 3000 mutants and
 * 300 hostile cases per format), printing the outcome counts; exits 1 on any finding.
 */
import { countsTable, fuzz, makeSeeds } from './fuzz.ts';

const [mutants = 3000, hostiles = 300, seed = Date.now() % 1_000_000] = process.argv.slice(2).map(Number);
const seeds = await makeSeeds();
if (seeds.torchNote) console.warn(`fuzz: ${seeds.torchNote}`);
const report = fuzz(seeds, mutants, hostiles, seed);
console.log(`seed ${seed}, slowest case ${report.slowestMs.toFixed(0)} ms\n\n${countsTable(report)}`);
for (const f of report.findings) console.log(`finding: ${f.format} ${f.category} ${f.outcome}: ${f.detail}`);
process.exitCode = report.findings.length > 0 ? 1 : 0;
