// LanceDB peer for bench/Moat.Bench.Search. Mode "vectors": loads the vectors the C# side wrote,
// builds IVF_FLAT and IVF_HNSW_SQ, runs the same queries with the same filters, warm (after one
// unmeasured pass) and cold (a new connection with a new Session: no cached index or metadata,
// then the first query). Mode "text": full-text index over the same documents, BM25 queries, and
// the top-10 overlap with Moat's answers. Prints one JSON object per line; progress on stderr.
import * as lancedb from "@lancedb/lancedb";
import * as arrow from "apache-arrow";
import { readFileSync, readdirSync, statSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [mode, dir] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8"));
const emit = (o) => console.log(JSON.stringify(o));
const note = (text) => emit({ kind: "note", text });
const log = (s) => process.stderr.write(`lancedb: ${s}\n`);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

function dirSize(path) {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

function listDirs(path) {
  try {
    return new Set(readdirSync(path));
  } catch {
    return new Set();
  }
}

// Builds an index and reports its build time and its size on disk (the new files under _indices).
async function buildIndex(dbDir, tableName, table, column, config, label, rows) {
  const indices = join(dbDir, `${tableName}.lance`, "_indices");
  const before = listDirs(indices);
  const t = performance.now();
  await table.createIndex(column, { config, replace: true });
  const ms = performance.now() - t;
  let bytes = 0;
  for (const d of listDirs(indices)) {
    if (!before.has(d)) bytes += dirSize(join(indices, d));
  }
  note(`${label}: build ${(ms / 1000).toFixed(1)} s, index ${(bytes / 1e6).toFixed(1)} MB on disk = ${(bytes / rows).toFixed(1)} bytes/row`);
  log(`${label} built in ${(ms / 1000).toFixed(1)} s`);
}

async function timed(fn) {
  const s = performance.now();
  const r = await fn();
  return [r, performance.now() - s];
}

const dbDir = mkdtempSync(join(tmpdir(), "moat-lancedb-"));
try {
  if (mode === "vectors") await vectors();
  else if (mode === "text") await text();
  else throw new Error(`unknown mode ${mode}`);
} finally {
  rmSync(dbDir, { recursive: true, force: true });
}

async function vectors() {
  const { rows, dims, queries: nq, k, cases, moatProbes, coldOpens } = meta;
  const data = new Float32Array(readFileSync(join(dir, "data.f32")).buffer.slice(0));
  const qs = new Float32Array(readFileSync(join(dir, "queries.f32")).buffer.slice(0));
  const truth = new Int32Array(readFileSync(join(dir, "truth.i32")).buffer.slice(0));

  // Arrow batches straight from the float buffer (no per-row objects).
  const vecType = new arrow.FixedSizeList(dims, new arrow.Field("item", new arrow.Float32(), true));
  function batch(start, end) {
    const n = end - start;
    const ids = new Int32Array(n);
    const buckets = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = start + i;
      buckets[i] = (start + i) % 1000;
    }
    const child = arrow.makeData({ type: new arrow.Float32(), length: n * dims, nullCount: 0, data: data.subarray(start * dims, end * dims) });
    const vec = arrow.makeData({ type: vecType, length: n, nullCount: 0, child });
    return new arrow.Table({ id: arrow.makeVector(ids), bucket: arrow.makeVector(buckets), vector: arrow.makeVector(vec) });
  }

  const db = await lancedb.connect(dbDir);
  let t = performance.now();
  const step = 100_000;
  const table = await db.createTable("v", batch(0, Math.min(rows, step)));
  for (let s = step; s < rows; s += step) await table.add(batch(s, Math.min(rows, s + step)));
  note(`lancedb ingest ${((performance.now() - t) / 1000).toFixed(1)} s`);
  log("ingested");

  const vq = (tb, q) => tb.query().nearestTo(Array.from(qs.subarray(q * dims, (q + 1) * dims))).distanceType("l2").limit(k).select(["id"]);
  const recallOf = (res, c, q) => {
    const want = new Set(truth.subarray((c * nq + q) * k, (c * nq + q + 1) * k));
    return res.filter((r) => want.has(Number(r.id))).length / k;
  };

  async function warm(label, configure) {
    for (let c = 0; c < cases.length; c++) {
      const { name, buckets } = cases[c];
      const build = (q) => {
        let query = vq(table, q);
        if (buckets < 1000) query = query.where(`bucket < ${buckets}`);
        return configure(query);
      };
      for (let q = 0; q < nq; q++) await build(q).toArray();
      const lat = [];
      let recall = 0;
      for (let q = 0; q < nq; q++) {
        const [res, ms] = await timed(() => build(q).toArray());
        lat.push(ms);
        recall += recallOf(res, c, q);
      }
      lat.sort((a, b) => a - b);
      emit({ kind: "query", engine: label, case: name, temperature: "warm", p50: pct(lat, 0.5), p99: pct(lat, 0.99), quality: recall / nq });
    }
  }

  async function cold(label, configure) {
    for (let c = 0; c < cases.length; c++) {
      const { name, buckets } = cases[c];
      const lat = [];
      const opens = [];
      let recall = 0;
      for (let i = 0; i < coldOpens; i++) {
        const q = (i * 7) % nq;
        const s = performance.now();
        const conn = await lancedb.connect(dbDir, {}, new lancedb.Session());
        const tb = await conn.openTable("v");
        const opened = performance.now() - s;
        let query = vq(tb, q);
        if (buckets < 1000) query = query.where(`bucket < ${buckets}`);
        const res = await configure(query).toArray();
        lat.push(performance.now() - s);
        opens.push(opened);
        recall += recallOf(res, c, q);
        conn.close();
      }
      lat.sort((a, b) => a - b);
      opens.sort((a, b) => a - b);
      emit({ kind: "query", engine: label, case: name, temperature: "cold", p50: pct(lat, 0.5), p99: pct(lat, 0.99), quality: recall / coldOpens,
        note: `${coldOpens} opens: connect+openTable p50 ${pct(opens, 0.5).toFixed(0)} ms, then the first query` });
    }
  }

  if (rows <= 200_000) {
    await warm("lancedb brute force", (q) => q.bypassVectorIndex());
    log("brute force done");
  }

  const partitions = Math.round(Math.sqrt(rows));
  await buildIndex(dbDir, "v", table, "vector", lancedb.Index.ivfFlat({ numPartitions: partitions, distanceType: "l2" }), `lancedb IVF_FLAT (${partitions} partitions)`, rows);
  await warm("lancedb IVF_FLAT (nprobes 20, default)", (q) => q);
  await warm(`lancedb IVF_FLAT (nprobes ${moatProbes} = moat's)`, (q) => q.nprobes(moatProbes));
  await cold("lancedb IVF_FLAT (nprobes 20, default)", (q) => q);
  log("IVF_FLAT done");

  await buildIndex(dbDir, "v", table, "vector", lancedb.Index.hnswSq({ distanceType: "l2" }), "lancedb IVF_HNSW_SQ (defaults)", rows);
  await warm("lancedb IVF_HNSW_SQ (defaults)", (q) => q);
  await warm("lancedb IVF_HNSW_SQ (ef 100)", (q) => q.ef(100));
  await cold("lancedb IVF_HNSW_SQ (defaults)", (q) => q);
  log("IVF_HNSW_SQ done");
}

async function text() {
  const { coldOpens } = meta;
  const docs = JSON.parse(readFileSync(join(dir, "docs.json"), "utf8"));
  const queries = JSON.parse(readFileSync(join(dir, "queries.json"), "utf8"));
  const moat = JSON.parse(readFileSync(join(dir, "moat-top10.json"), "utf8"));
  const k = 10;
  const db = await lancedb.connect(dbDir);
  let t = performance.now();
  const tbl = new arrow.Table({
    id: arrow.makeVector(Int32Array.from(docs.map((_, i) => i))),
    text: arrow.vectorFromArray(docs, new arrow.Utf8()),
  });
  const table = await db.createTable("t", tbl);
  note(`lancedb ingest ${docs.length} documents ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // The same analysis as Moat's field: simple word tokenizer, lower-cased, no stemming, no stop words.
  const fts = lancedb.Index.fts({ withPosition: false, baseTokenizer: "simple", lowercase: true, stem: false, removeStopWords: false, asciiFolding: false });
  await buildIndex(dbDir, "t", table, "text", fts, "lancedb FTS", docs.length);

  const overlap = (res, q) => {
    const want = new Set(moat[q]);
    const got = res.map((r) => Number(r.id));
    const n = Math.max(want.size, got.length);
    return n === 0 ? 1 : got.filter((id) => want.has(id)).length / n;
  };
  const build = (tb, q) => tb.query().fullTextSearch(queries[q]).limit(k).select(["id"]);
  for (let q = 0; q < queries.length; q++) await build(table, q).toArray();
  const lat = [];
  let agree = 0;
  for (let q = 0; q < queries.length; q++) {
    const [res, ms] = await timed(() => build(table, q).toArray());
    lat.push(ms);
    agree += overlap(res, q);
  }
  lat.sort((a, b) => a - b);
  emit({ kind: "query", engine: "lancedb FTS", case: "BM25", temperature: "warm", p50: pct(lat, 0.5), p99: pct(lat, 0.99), quality: agree / queries.length });

  const clat = [];
  let cagree = 0;
  for (let i = 0; i < coldOpens; i++) {
    const q = (i * 7) % queries.length;
    const s = performance.now();
    const conn = await lancedb.connect(dbDir, {}, new lancedb.Session());
    const tb = await conn.openTable("t");
    const res = await build(tb, q).toArray();
    clat.push(performance.now() - s);
    cagree += overlap(res, q);
    conn.close();
  }
  clat.sort((a, b) => a - b);
  emit({ kind: "query", engine: "lancedb FTS", case: "BM25", temperature: "cold", p50: pct(clat, 0.5), p99: pct(clat, 0.99), quality: cagree / coldOpens, note: `${coldOpens} opens (new connection and Session), then the first query` });
}
