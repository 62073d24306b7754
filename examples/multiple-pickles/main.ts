// Several pickles appended to one file, read back one by one until the end: what a Python
// program writing with repeated pickle.dump(record, f) produces, here gzip-compressed as well.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Pickler, tuple, Unpickler } from 'pickle-mapper';

const records = [
  { event: 'signup', user: 'ada', at: tuple(2026, 11, 21) },
  { event: 'purchase', user: 'ada', amount: 32.5, items: ['notebook', 'pen'] },
  { event: 'logout', user: 'ada' },
];

// Append one pickle per record, as repeated pickle.dump calls would.
const chunks: Uint8Array[] = [];
const pickler = new Pickler({ protocol: 4, write: (chunk) => chunks.push(chunk) });
for (const record of records) pickler.dump(record);
const file = join(mkdtempSync(join(tmpdir(), 'pickle-mapper-')), 'events.pkl.gz');
writeFileSync(file, gzipSync(Buffer.concat(chunks)));
console.log(`wrote ${records.length} pickles (${chunks.reduce((n, c) => n + c.length, 0)} bytes, gzip-compressed) to ${file}`);

// Read them back until the end, noting where each one ends.
const reader = new Unpickler(gunzipSync(readFileSync(file)));
while (!reader.atEnd) {
  const record = reader.load() as Record<string, unknown>;
  console.log(`at byte ${String(reader.position).padStart(3)}: ${record.event} by ${record.user}`);
}
