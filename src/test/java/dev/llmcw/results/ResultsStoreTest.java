package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.eval.ItemStore.StoredItem;
import dev.llmcw.eval.TaskMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsStoreTest {
    @TempDir
    Path dir;

    static RunSpec spec(String label, String hash, String method, Map<String, String> params) {
        return new RunSpec(
                "/models/" + label + ".bin",
                label,
                hash,
                method,
                params,
                List.of("piqa"),
                RunSpec.Options.defaults().withLimit(10));
    }

    @Test
    void storesRunMetricsAndItemsAcrossReopen() {
        Path db = dir.resolve("r.db");
        long id;
        String key;
        try (var store = ResultsStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.latest());
            RunSpec s = spec("stories", "abc123", "seedlm", Map.of("C", "8", "P", "3", "K", "16"));
            id = store.saveRun(s, "piqa", "1", 4.25, 1000L);
            key = s.cacheKey("piqa", "1");
            store.save(key, new StoredItem("0", 1, 1, "{\"ll\":[-1.0,-0.5]}"));
            store.save(key, new StoredItem("1", 0, 1, "{\"ll\":[-2.0,-0.5]}"));
            store.save(key, new StoredItem("1", 0, 0, "{\"ll\":[-0.1,-0.5]}")); // replaces
            assertThat(store.itemsFor(id)).as("item key not known yet").isEmpty();
            store.setItemKey(id, key);
            store.saveMetrics(
                    id,
                    new TaskMetrics(
                            "piqa",
                            "1",
                            2,
                            Map.of(
                                    "acc",
                                    1.0,
                                    "acc_stderr",
                                    0.0,
                                    "acc_norm",
                                    0.5,
                                    "acc_norm_stderr",
                                    0.5,
                                    "kl_mean",
                                    0.01),
                            Map.of("bos", "false")));
            store.recordTimings(id, Map.of("eval", 1.5));
            store.recordTimings(id, Map.of("load", 0.25));
            store.updateStatus(id, RunStatus.DONE, null);
        }
        try (var store = ResultsStore.open(db)) {
            RunRecord r = store.getRun(id).orElseThrow();
            assertThat(r.status()).isEqualTo(RunStatus.DONE);
            assertThat(r.runKey()).isEqualTo(key);
            assertThat(r.spec().methodParams()).containsEntry("K", "16").hasSize(3);
            assertThat(r.spec().options().limit()).isEqualTo(10);
            assertThat(r.bitsPerWeight()).isEqualTo(4.25);
            assertThat(r.totalBytes()).isEqualTo(1000L);
            assertThat(r.items()).isEqualTo(2);
            assertThat(r.seconds()).isNotNull().isGreaterThanOrEqualTo(0.0);
            assertThat(r.timings()).containsEntry("eval", 1.5).containsEntry("load", 0.25);
            assertThat(r.machine().cores()).isPositive();
            assertThat(r.details()).containsEntry("bos", "false");
            assertThat(r.metric("acc_norm").orElseThrow().stderr()).isEqualTo(0.5);
            assertThat(r.metric("kl_mean").orElseThrow().stderr()).isNull();
            assertThat(r.metrics()).extracting(RunRecord.Metric::name).containsExactly("acc", "acc_norm", "kl_mean");
            assertThat(store.itemsFor(id)).hasSize(2);
            assertThat(store.itemsFor(id).get("1").chosen()).isZero();
            TaskMetrics back = store.metricsOf(id).orElseThrow();
            assertThat(back.metrics())
                    .containsEntry("acc_stderr", 0.0)
                    .containsEntry("acc_norm_stderr", 0.5)
                    .hasSize(5);
            assertThat(store.findDone(key, 10)).isPresent();
            assertThat(store.findDone(key, 20)).isEmpty();
        }
    }

    @Test
    void saveAllStoresABatchInOneGoAndReplacesEarlierItems() {
        Path db = dir.resolve("batch.db");
        try (var store = ResultsStore.open(db)) {
            store.save("k", new StoredItem("a", 0, 1, "{\"ll\":[-3.0]}"));
            store.saveAll(
                    "k",
                    List.of(
                            new StoredItem("a", 0, 0, "{\"ll\":[-1.0]}"),
                            new StoredItem("b", 1, 1, "{}"),
                            new StoredItem("c", 2, 0, null)));
            store.saveAll("k", List.of());
        }
        try (var store = ResultsStore.open(db)) {
            var items = store.load("k");
            assertThat(items).containsOnlyKeys("a", "b", "c");
            assertThat(items.get("a")).isEqualTo(new StoredItem("a", 0, 0, "{\"ll\":[-1.0]}"));
            assertThat(items.get("c").payloadJson()).isEqualTo("{}");
            assertThat(store.itemCount("k")).isEqualTo(3);
        }
    }

    @Test
    void filtersAndDeletes() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            long a = store.saveRun(spec("m1", "h1", "none", Map.of()), "piqa", "1", null, null);
            long b = store.saveRun(spec("m1", "h1", "rtn", Map.of("bits", "4")), "piqa", "1", null, null);
            long c = store.saveRun(spec("m2", "h2", "rtn", Map.of("bits", "4")), "hellaswag", "1", null, null);
            store.updateStatus(c, RunStatus.FAILED, "boom");
            assertThat(store.listRuns(RunFilter.all()))
                    .extracting(RunRecord::id)
                    .containsExactly(c, b, a);
            assertThat(store.listRuns(new RunFilter("m1", null, null, null))).hasSize(2);
            assertThat(store.listRuns(new RunFilter("h2", null, null, null)))
                    .extracting(RunRecord::id)
                    .containsExactly(c);
            assertThat(store.listRuns(new RunFilter(null, "rtn", "piqa", null)))
                    .extracting(RunRecord::id)
                    .containsExactly(b);
            assertThat(store.listRuns(RunFilter.all().withStatus(RunStatus.FAILED)))
                    .singleElement()
                    .satisfies(r -> assertThat(r.message()).isEqualTo("boom"));

            // two runs sharing a key share items: deleting one keeps them, deleting the last removes them
            RunSpec s = spec("m1", "h1", "none", Map.of());
            long a2 = store.saveRun(s.withOptions(s.options().withLimit(20)), "piqa", "1", null, null);
            String key = s.cacheKey("piqa", "1");
            store.save(key, new StoredItem("x", 0, 0, "{}"));
            store.setItemKey(a, key);
            store.setItemKey(a2, key);
            store.saveMetrics(a, new TaskMetrics("piqa", "1", 1, Map.of("acc", 1.0), Map.of()));
            store.deleteRun(a);
            assertThat(store.getRun(a)).isEmpty();
            assertThat(store.load(key)).hasSize(1);
            store.deleteRun(a2);
            assertThat(store.load(key)).isEmpty();
            assertThatThrownBy(() -> store.updateStatus(a, RunStatus.DONE, null))
                    .hasMessageContaining("no run " + a);
        }
    }

    @Test
    void compressionRecordsFoundBySettingWhileTheFileExists() throws Exception {
        Path f = Files.writeString(dir.resolve("c.safetensors"), "x");
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            var errors = List.of(new CompressionReport.TensorError("layers.0.wq", 0.12, Double.NaN));
            var rec = new CompressionRecord(
                    0,
                    null,
                    "h1",
                    "/m.bin",
                    "seedlm",
                    Map.of("K", "16", "C", "8"),
                    f.toString(),
                    "fh",
                    123L,
                    3.5,
                    2.0,
                    List.of(new CompressionReport.TensorError("layers.0.wq", 0.12, 0.2)),
                    "dev");
            long id = store.saveCompression(rec);
            assertThat(id).isPositive();
            // parameter order does not matter
            var found = store.findCompression("h1", "seedlm", new LinkedHashMap<>(Map.of("C", "8", "K", "16")))
                    .orElseThrow();
            assertThat(found.tensorErrors())
                    .singleElement()
                    .satisfies(e -> assertThat(e.relativeError()).isEqualTo(0.12));
            assertThat(found.bitsPerWeight()).isEqualTo(3.5);
            assertThat(store.findCompression("h1", "seedlm", Map.of("C", "8", "K", "8")))
                    .isEmpty();
            assertThat(store.compressions("h1")).hasSize(1);
            Files.delete(f);
            assertThat(store.findCompression("h1", "seedlm", Map.of("C", "8", "K", "16")))
                    .isEmpty();
            assertThat(errors).hasSize(1);
        }
    }

    @Test
    void concurrentWritersFromManyThreads() throws Exception {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        store.save("k" + tt, new StoredItem("i" + i, i % 2, 0, "{}"));
                        store.listRuns(RunFilter.all());
                    }
                    long id = store.saveRun(spec("m" + tt, "h" + tt, "none", Map.of()), "piqa", "1", null, null);
                    store.saveMetrics(id, new TaskMetrics("piqa", "1", 25, Map.of("acc", 0.5), Map.of()));
                }));
            }
            for (var f : fs) f.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            for (int t = 0; t < 8; t++) assertThat(store.itemCount("k" + t)).isEqualTo(25);
            assertThat(store.listRuns(RunFilter.all()))
                    .hasSize(8)
                    .allSatisfy(r -> assertThat(r.metrics()).hasSize(1));
        }
    }

    @Test
    void listenersHearAboutRunChanges() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            List<Long> heard = new CopyOnWriteArrayList<>();
            store.addRunListener(id -> {
                heard.add(id);
                store.getRun(id); // reading from the listener must not deadlock
            });
            long id = store.saveRun(spec("m", "h", "none", Map.of()), "piqa", "1", null, null);
            store.saveMetrics(id, new TaskMetrics("piqa", "1", 1, Map.of("acc", 1.0), Map.of()));
            store.updateStatus(id, RunStatus.DONE, null);
            store.deleteRun(id);
            assertThat(heard).containsExactly(id, id, id, id);
        }
    }

    @Test
    void nanMetricsSurviveAsNaN() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            long id = store.saveRun(spec("m", "h", "none", Map.of()), "wikitext2", "1", null, null);
            store.saveMetrics(
                    id,
                    new TaskMetrics(
                            "wikitext2",
                            "1",
                            3,
                            Map.of("word_perplexity", Double.POSITIVE_INFINITY, "bits_per_byte", 1.25),
                            Map.of()));
            RunRecord r = store.getRun(id).orElseThrow();
            assertThat(r.metric("word_perplexity").orElseThrow().value()).isNaN();
            assertThat(r.metric("bits_per_byte").orElseThrow().value()).isCloseTo(1.25, within(0.0));
        }
    }

    /**
     * Before --sample existed a stored "limit" was a seeded random subset: the v4 migration makes those
     * runs samples, so a new first-N run with the same number is not answered with an old random one.
     */
    @Test
    void oldRandomLimitRunsBecomeSamplesAndAreNotReusedForFirstNRuns() throws Exception {
        // the last version before "limit" became the first N items (v5); v4 added the runs' owner columns
        Path db = dir.resolve("v4.db");
        RunSpec old = spec("stories", "abc123", "none", Map.of());
        String key = old.cacheKey("piqa", "1");
        try (var store = ResultsStore.open(db, 4)) {
            long id = store.saveRun(old, "piqa", "1", null, null);
            store.updateStatus(id, RunStatus.DONE, null);
            assertThat(store.findDone(key, 10)).isPresent();
        }
        try (var store = ResultsStore.open(db)) {
            RunRecord r = store.runsByKey(key).getFirst();
            assertThat(r.spec().options().limit()).isNull();
            assertThat(r.spec().options().sample()).isEqualTo(10);
            assertThat(store.findDone(key, 10))
                    .as("a first-10 run is another run")
                    .isEmpty();
            assertThat(store.findDone(key, RunSpec.Options.defaults().withSample(10)))
                    .isPresent();
            assertThat(store.findDone(key, RunSpec.Options.defaults().withSample(11)))
                    .isEmpty();
        }
    }

    @Test
    void upgradesAVersion1DatabaseKeepingItsData() throws Exception {
        Path db = dir.resolve("old.db");
        // A database as the first release wrote it.
        ResultsStore.open(db, 1).close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var s = c.createStatement()) {
            s.execute(
                    "INSERT INTO runs(created, model_label, model_path, model_hash, method, method_params, task, task_version, options, code_version, status) "
                            + "VALUES ('2026-01-01T00:00:00Z', 'old', '/m.bin', 'h0', 'rtn', '{\"bits\":\"4\"}', 'piqa', '1', '{\"limit\":5}', '0.0.1', 'done')");
            s.execute("INSERT INTO metrics(run_id, name, value, stderr) VALUES (1, 'acc', 0.6, 0.01)");
            s.execute(
                    "INSERT INTO items(run_key, item_id, gold, chosen, payload) VALUES ('legacy-1', 'a', 1, 1, '{}')");
            try (var rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        try (var store = ResultsStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.latest());
            RunRecord r = store.getRun(1).orElseThrow();
            assertThat(r.modelLabel()).isEqualTo("old");
            assertThat(r.status()).isEqualTo(RunStatus.DONE);
            assertThat(r.runKey()).isEqualTo("legacy-1");
            assertThat(r.itemKey()).isEqualTo("legacy-1");
            assertThat(r.started()).isEqualTo(r.created());
            // its limit was a random subset then: it is a sample now (schema v4)
            assertThat(r.spec().options().limit()).isNull();
            assertThat(r.spec().options().sample()).isEqualTo(5);
            assertThat(r.metric("acc").orElseThrow().stderr()).isEqualTo(0.01);
            assertThat(store.itemsFor(1)).containsKey("a");
            // new tables work on the upgraded database
            store.saveCompression(new CompressionRecord(
                    0, null, "h0", "/m.bin", "rtn", Map.of(), "/x", null, null, null, null, null, "dev"));
            assertThat(store.compressions(null)).hasSize(1);
        }
        // reopening an up-to-date database applies nothing
        try (var store = ResultsStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.latest());
        }
    }

    @Test
    void refusesADatabaseFromTheFuture() throws Exception {
        Path db = dir.resolve("future.db");
        ResultsStore.open(db).close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var s = c.createStatement()) {
            s.execute("INSERT INTO schema_version(version) VALUES (99)");
        }
        assertThatThrownBy(() -> ResultsStore.open(db))
                .hasMessageContaining(db.getFileName().toString())
                .hasMessageContaining("schema version 99");
    }
}
