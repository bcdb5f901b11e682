/**
 * Child process of the rebuild measurement, so that its peak RSS is its own: rebuilds every read
 * model of the store in the given data dir from the whole log (src/profiles/rebuild.ts, the
 * same function `npm run rebuild` uses) and prints one JSON line.
 */
import { rebuild } from '../src/profiles/rebuild.js';
import { sqliteDatabasePath } from '../src/profiles/embedded.js';
import { peakRssMiB } from './processes.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: rebuildChild <data dir>');

const started = performance.now();
const result = await rebuild({ store: sqliteDatabasePath(dataDir) });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    events: result.applied,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSec: Math.round(result.applied / seconds),
    peakRssMiB: peakRssMiB('self'),
    function: 'rebuild (src/profiles/rebuild.ts), all projections, blue/green switch',
    switched: result.switched,
    skipped: result.skipped.length,
  })}\n`,
);
