// LanceDB peer for bench/Moat.Bench.Search: loads the vectors the C# side wrote, builds indexes,
// runs the same queries with the same filters, prints one JSON object per result line.
import * as lancedb from "@lancedb/lancedb";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = process.argv[2];
const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8"));
const { rows, dims, queries: nq, k, cases } = meta;
const f32 = (name) => new Float32Array(readFileSync(join(dir, name)).buffer.slice(0));
const data = f32("data.f32");
const qs = f32("queries.f32");
const truth = new Int32Array(readFileSync(join(dir, "truth.i32")).buffer.slice(0));

const dbDir = mkdtempSync(join(tmpdir(), "moat-lancedb-"));
try {
  const db = await lancedb.connect(dbDir);
  let t = performance.now();
  const records = new Array(rows);
  for (let i = 0; i < rows; i++) {
    records[i] = { id: i, bucket: i % 1000, vector: Array.from(data.subarray(i * dims, (i + 1) * dims)) };
  }
  const table = await db.createTable("v", records);
  const ingestMs = performance.now() - t;
  console.log(JSON.stringify({ kind: "ingest", ms: ingestMs }));

  async function run(label, configure) {
    for (let c = 0; c < cases.length; c++) {
      const { name, buckets } = cases[c];
      const lat = [];
      let recall = 0;
      for (let q = 0; q < nq; q++) {
        let query = table.query().nearestTo(Array.from(qs.subarray(q * dims, (q + 1) * dims))).distanceType("l2").limit(k).select(["id"]);
        if (buckets < 1000) query = query.where(`bucket < ${buckets}`);
        query = configure(query);
        const s = performance.now();
        const res = await query.toArray();
        lat.push(performance.now() - s);
        const want = new Set(truth.subarray((c * nq + q) * k, (c * nq + q + 1) * k));
        recall += res.filter((r) => want.has(Number(r.id))).length / k;
      }
      lat.sort((a, b) => a - b);
      console.log(JSON.stringify({ kind: "query", engine: label, case: name, p50: lat[Math.floor(nq * 0.5)], p99: lat[Math.min(nq - 1, Math.floor(nq * 0.99))], recall: recall / nq }));
    }
  }

  await run("lancedb brute force", (q) => q.bypassVectorIndex());
  const partitions = Math.round(Math.sqrt(rows));
  t = performance.now();
  await table.createIndex("vector", { config: lancedb.Index.ivfFlat({ numPartitions: partitions, distanceType: "l2" }), replace: true });
  console.log(JSON.stringify({ kind: "index", engine: "lancedb IVF_FLAT", ms: performance.now() - t }));
  await run("lancedb IVF_FLAT", (q) => q.nprobes(Math.max(8, Math.ceil(partitions / 12))));
  t = performance.now();
  await table.createIndex("vector", { config: lancedb.Index.hnswSq({ distanceType: "l2" }), replace: true });
  console.log(JSON.stringify({ kind: "index", engine: "lancedb IVF_HNSW_SQ", ms: performance.now() - t }));
  await run("lancedb IVF_HNSW_SQ", (q) => q);
} finally {
  rmSync(dbDir, { recursive: true, force: true });
}
