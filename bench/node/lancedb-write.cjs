// LanceDB peer of bench/Moat.Bench.Write: closed-loop `table.add` of the rows the C# side wrote.
// Usage: node lancedb-write.cjs <data-dir> <table-dir> <batch> <concurrency> <seconds> <warmup-seconds>
// Prints one JSON line: {"docs": N, "adds": N, "seconds": s, "latenciesMs": [...] }.
// Loads @lancedb/lancedb and apache-arrow from NODE_PATH (.deps/bench-node/node_modules).
'use strict';
const fs = require('fs');
const path = require('path');
const lancedb = require('@lancedb/lancedb');
const arrow = require('apache-arrow');

const [dataDir, tableDir, batchArg, concurrencyArg, secondsArg, warmupArg] = process.argv.slice(2);
const batch = Number(batchArg);
const concurrency = Number(concurrencyArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg);

// rows.json: {dimensions, count, ids, category, count64 (decimal strings), score}; vectors.f32: count x dimensions little-endian.
const meta = JSON.parse(fs.readFileSync(path.join(dataDir, 'rows.json'), 'utf8'));
const dims = meta.dimensions;
const raw = fs.readFileSync(path.join(dataDir, 'vectors.f32'));
const vectors = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const counts = BigInt64Array.from(meta.count64, (s) => BigInt(s));
const scores = Float64Array.from(meta.score);

const listType = new arrow.FixedSizeList(dims, new arrow.Field('item', new arrow.Float32(), true));
const schema = new arrow.Schema([
  new arrow.Field('id', new arrow.Utf8(), false),
  new arrow.Field('vector', listType, false),
  new arrow.Field('category', new arrow.Utf8(), false),
  new arrow.Field('count', new arrow.Int64(), false),
  new arrow.Field('score', new arrow.Float64(), false),
]);

// The batch as an Arrow table straight from typed arrays: LanceDB's fastest ingest path.
function rowsAt(start) {
  const end = start + batch;
  const vectorData = arrow.makeData({ type: new arrow.Float32(), length: batch * dims, data: vectors.subarray(start * dims, end * dims) });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: batch,
    nullCount: 0,
    children: [
      arrow.vectorFromArray(meta.ids.slice(start, end), new arrow.Utf8()).data[0],
      arrow.makeData({ type: listType, length: batch, nullCount: 0, child: vectorData }),
      arrow.vectorFromArray(meta.category.slice(start, end), new arrow.Utf8()).data[0],
      arrow.makeData({ type: new arrow.Int64(), length: batch, data: counts.subarray(start, end) }),
      arrow.makeData({ type: new arrow.Float64(), length: batch, data: scores.subarray(start, end) }),
    ],
  })));
}

// The installed version (its package.json is not exported, so find it beside the entry point).
function lancedbVersion() {
  let dir = path.dirname(require.resolve('@lancedb/lancedb'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

async function run(table, durationSeconds, latencies) {
  let next = 0;
  let docs = 0;
  let adds = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(durationSeconds * 1e9));
  const writer = async () => {
    while (process.hrtime.bigint() < deadline) {
      const start = (next++ * batch) % meta.count;
      const t0 = process.hrtime.bigint();
      await table.add(rowsAt(start));
      const t1 = process.hrtime.bigint();
      if (latencies) latencies.push(Number(t1 - t0) / 1e6);
      docs += batch;
      adds++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  return { docs, adds, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

(async () => {
  const db = await lancedb.connect(tableDir);
  if (warmup > 0) {
    const warm = await db.createEmptyTable('warmup', schema, { mode: 'overwrite' });
    await run(warm, warmup, null);
  }
  const table = await db.createEmptyTable('docs', schema, { mode: 'overwrite' });
  const latencies = [];
  const result = await run(table, seconds, latencies);
  const rows = await table.countRows();
  process.stdout.write(JSON.stringify({ ...result, rows, version: lancedbVersion(), latenciesMs: latencies }) + '\n');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
