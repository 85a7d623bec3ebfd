package dev.llmcw.results;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results database (SQLite): runs, their per-item results, metrics and compression records.
 * One instance per database file and process, shared by all threads: every call takes one lock,
 * because a JDBC connection must not be used concurrently (SQLite serialises writers anyway).
 * Several processes may open the same file (WAL mode, busy timeout).
 *
 * <p>Durability: every write is its own committed transaction. In WAL mode with
 * {@code synchronous=NORMAL} (the default) a commit is in the WAL file when the call returns, so it
 * survives the process being killed or crashing right after (the crash/resume test kills a real
 * process with SIGKILL); only an OS crash or power loss can lose the last commits, which are then
 * simply evaluated again on resume, and the database stays consistent. System property
 * {@code workbench.results.sync=FULL} fsyncs every commit instead: measured 6–7 ms per item save
 * against 0.5 ms on the development machine.
 */
public final class ResultsStore implements ItemStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsStore.class);

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
    private static final TypeReference<Map<String, Double>> DOUBLE_MAP = new TypeReference<>() {};
    private static final TypeReference<List<CompressionReport.TensorError>> ERRORS = new TypeReference<>() {};

    private final Path file;
    private final Connection conn;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<LongConsumer> runListeners = new CopyOnWriteArrayList<>();

    private ResultsStore(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /** Opens (creating or upgrading) the results database at {@code dbFile}. */
    public static ResultsStore open(Path dbFile) {
        return open(dbFile, SchemaMigrations.latest());
    }

    /** Opens the default database ({@code $WORKBENCH_HOME/results.db}). */
    public static ResultsStore openDefault() {
        return open(WorkbenchHome.resultsDb());
    }

    static ResultsStore open(Path dbFile, int schemaVersion) {
        Path abs = dbFile.toAbsolutePath().normalize();
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create folder for results database " + abs + ": " + e.getMessage(), e);
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + abs);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 15000");
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = " + syncMode());
                s.execute("PRAGMA foreign_keys = ON");
            }
            SchemaMigrations.migrate(c, schemaVersion);
            ResultsStore store = new ResultsStore(abs, c);
            if (schemaVersion >= SchemaMigrations.OWNER_VERSION) store.markOrphansInterrupted();
            return store;
        } catch (SQLException e) {
            throw new ResultsStoreException("cannot open results database " + abs + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    private static String syncMode() {
        String m = System.getProperty("workbench.results.sync", "NORMAL").toUpperCase(Locale.ROOT);
        if (!List.of("NORMAL", "FULL", "EXTRA").contains(m))
            throw new IllegalArgumentException("workbench.results.sync must be NORMAL, FULL or EXTRA, got " + m);
        return m;
    }

    /**
     * Calls {@code listener} with a run's id after the run was created, changed status, got metrics
     * or was deleted. Called on the writing thread, outside the store's lock: a GUI marshals to its
     * own thread and may read the store from the listener.
     */
    public void addRunListener(LongConsumer listener) {
        runListeners.add(listener);
    }

    public void removeRunListener(LongConsumer listener) {
        runListeners.remove(listener);
    }

    private void fireRunChanged(long runId) {
        for (var l : runListeners) {
            try {
                l.accept(runId);
            } catch (RuntimeException e) {
                // a broken listener must not break the write that already happened
                LOG.warn("results listener failed: {}", e.toString(), e);
            }
        }
    }

    public int schemaVersion() {
        return locked(() -> SchemaMigrations.version(conn));
    }

    // ---------------------------------------------------------------- runs

    /**
     * Stores a new run (status RUNNING) of {@code task} under {@code spec} and returns its id.
     * The spec must carry the weight content hash (its cache key needs it).
     */
    public long saveRun(RunSpec spec, String task, String taskVersion, Double bitsPerWeight, Long totalBytes) {
        return saveRun(spec, task, taskVersion, null, bitsPerWeight, totalBytes);
    }

    /** As {@link #saveRun(RunSpec, String, String, Double, Long)}, with the content hash of the task's data in the run key. */
    public long saveRun(
            RunSpec spec, String task, String taskVersion, String dataHash, Double bitsPerWeight, Long totalBytes) {
        String key = spec.cacheKey(task, taskVersion, dataHash);
        Instant now = Instant.now();
        long id = locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("""
                    INSERT INTO runs(created, model_label, model_path, model_hash, method, method_params, task,
                      task_version, options, code_version, status, run_key, bits_per_weight, total_bytes, started,
                      machine, owner_pid, owner_started) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, now.toString());
                p.setString(2, spec.modelLabel());
                p.setString(3, spec.modelPath());
                p.setString(4, spec.modelHash());
                p.setString(5, spec.method());
                p.setString(6, Json.write(spec.methodParams()));
                p.setString(7, task);
                p.setString(8, taskVersion);
                p.setString(9, Json.write(spec.options()));
                p.setString(10, BuildInfo.version());
                p.setString(11, RunStatus.RUNNING.dbName());
                p.setString(12, key);
                setDouble(p, 13, bitsPerWeight);
                setLong(p, 14, totalBytes);
                p.setString(15, now.toString());
                p.setString(16, Json.write(MachineInfo.current()));
                setOwner(p, 17, RunOwner.current());
                p.executeUpdate();
                try (ResultSet rs = p.getGeneratedKeys()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        fireRunChanged(id);
        return id;
    }

    /** Sets a run's status; a finished status also records the end time and duration. */
    public void updateStatus(long runId, RunStatus status, String message) {
        Instant now = Instant.now();
        locked(() -> {
            Instant started = null;
            try (PreparedStatement q = conn.prepareStatement("SELECT started FROM runs WHERE id = ?")) {
                q.setLong(1, runId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) throw new ResultsStoreException("no run " + runId + " in " + file);
                    if (rs.getString(1) != null) started = Instant.parse(rs.getString(1));
                }
            }
            try (PreparedStatement p = conn.prepareStatement(
                    "UPDATE runs SET status = ?, message = ?, finished = ?, seconds = ? WHERE id = ?")) {
                p.setString(1, status.dbName());
                p.setString(2, message);
                p.setString(3, status.finished() ? now.toString() : null);
                setDouble(
                        p,
                        4,
                        status.finished() && started != null
                                ? Duration.between(started, now).toNanos() / 1e9
                                : null);
                p.setLong(5, runId);
                p.executeUpdate();
            }
            return null;
        });
        fireRunChanged(runId);
    }

    /** Marks a run as running again (a resumed run), restarting its clock. */
    public void restart(long runId) {
        locked(() -> {
            try (PreparedStatement p = conn.prepareStatement(
                    "UPDATE runs SET status = ?, message = NULL, finished = NULL, seconds = NULL, started = ?, machine = ?, owner_pid = ?, owner_started = ? WHERE id = ?")) {
                p.setString(1, RunStatus.RUNNING.dbName());
                p.setString(2, Instant.now().toString());
                p.setString(3, Json.write(MachineInfo.current()));
                setOwner(p, 4, RunOwner.current());
                p.setLong(6, runId);
                p.executeUpdate();
            }
            return null;
        });
        fireRunChanged(runId);
    }

    /**
     * Runs left "running" by a process that no longer exists (killed, crashed, power cut) become
     * interrupted; runs of live processes, this one included, are left alone. Called at open.
     */
    private void markOrphansInterrupted() {
        List<Long> orphans = locked(() -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement q =
                    conn.prepareStatement("SELECT id, owner_pid, owner_started FROM runs WHERE status = ?")) {
                q.setString(1, RunStatus.RUNNING.dbName());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        long pid = rs.getLong(2);
                        if (!new RunOwner(rs.wasNull() ? 0 : pid, instant(rs.getString(3))).alive())
                            ids.add(rs.getLong(1));
                    }
                }
            }
            try (PreparedStatement p =
                    conn.prepareStatement("UPDATE runs SET status = ?, message = ? WHERE id = ? AND status = ?")) {
                for (long id : ids) {
                    p.setString(1, RunStatus.INTERRUPTED.dbName());
                    p.setString(
                            2,
                            "interrupted: the process running it ended before it finished (resume it with: runs resume "
                                    + id + ")");
                    p.setLong(3, id);
                    p.setString(4, RunStatus.RUNNING.dbName());
                    p.executeUpdate();
                }
            }
            return ids;
        });
        orphans.forEach(this::fireRunChanged);
    }

    /** The process running a run, or empty when the run is not running or its process is gone. */
    public Optional<Long> livePid(long runId) {
        return locked(() -> {
            try (PreparedStatement q =
                    conn.prepareStatement("SELECT status, owner_pid, owner_started FROM runs WHERE id = ?")) {
                q.setLong(1, runId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next() || !RunStatus.RUNNING.dbName().equals(rs.getString(1)))
                        return Optional.<Long>empty();
                    long pid = rs.getLong(2);
                    RunOwner owner = new RunOwner(rs.wasNull() ? 0 : pid, instant(rs.getString(3)));
                    return owner.alive() ? Optional.of(owner.pid()) : Optional.<Long>empty();
                }
            }
        });
    }

    private static void setOwner(PreparedStatement p, int index, RunOwner owner) throws SQLException {
        p.setLong(index, owner.pid());
        p.setString(index + 1, owner.started() == null ? null : owner.started().toString());
    }

    /** Records seconds per stage ("load", "compress", "eval", …), merged with earlier ones. */
    public void recordTimings(long runId, Map<String, Double> timings) {
        locked(() -> {
            Map<String, Double> merged = new TreeMap<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT timings FROM runs WHERE id = ?")) {
                q.setLong(1, runId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) throw new ResultsStoreException("no run " + runId + " in " + file);
                    merged.putAll(readJson(rs.getString(1), DOUBLE_MAP, Map.of()));
                }
            }
            merged.putAll(timings);
            try (PreparedStatement p = conn.prepareStatement("UPDATE runs SET timings = ? WHERE id = ?")) {
                p.setString(1, Json.write(merged));
                p.setLong(2, runId);
                p.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Stores a task's aggregate metrics for a run, replacing earlier ones. Metric "x_stderr" is
     * stored as the standard error of metric "x" (lm-eval's pairing); a stderr whose metric is
     * absent is stored as a metric of its own.
     */
    public void saveMetrics(long runId, TaskMetrics m) {
        transaction(() -> {
            try (PreparedStatement d = conn.prepareStatement("DELETE FROM metrics WHERE run_id = ?")) {
                d.setLong(1, runId);
                d.executeUpdate();
            }
            try (PreparedStatement p =
                    conn.prepareStatement("INSERT INTO metrics(run_id, name, value, stderr) VALUES (?,?,?,?)")) {
                for (var e : m.metrics().entrySet()) {
                    String name = e.getKey();
                    if (name.endsWith("_stderr") && m.metrics().containsKey(name.substring(0, name.length() - 7)))
                        continue;
                    p.setLong(1, runId);
                    p.setString(2, name);
                    setDouble(p, 3, e.getValue());
                    setDouble(p, 4, m.metrics().get(name + "_stderr"));
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (PreparedStatement u = conn.prepareStatement(
                    "UPDATE runs SET item_count = ?, details = ?, task_version = COALESCE(?, task_version) WHERE id = ?")) {
                u.setInt(1, m.items());
                u.setString(2, Json.write(m.details() == null ? Map.of() : new TreeMap<>(m.details())));
                u.setString(3, m.taskVersion());
                u.setLong(4, runId);
                if (u.executeUpdate() == 0) throw new ResultsStoreException("no run " + runId + " in " + file);
            }
            return null;
        });
        fireRunChanged(runId);
    }

    /** The stored metrics of a run as a {@link TaskMetrics} (stderr back under "x_stderr"). */
    public Optional<TaskMetrics> metricsOf(long runId) {
        return getRun(runId).filter(r -> !r.metrics().isEmpty()).map(RunRecord::toTaskMetrics);
    }

    public Optional<RunRecord> getRun(long id) {
        return locked(() -> {
            List<RunRecord> l = queryRuns("SELECT * FROM runs WHERE id = ?", List.of(id));
            return l.isEmpty() ? Optional.<RunRecord>empty() : Optional.of(l.getFirst());
        });
    }

    /** Runs matching the filter, newest first. */
    public List<RunRecord> listRuns(RunFilter f) {
        var sql = new StringBuilder("SELECT * FROM runs WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (f.model() != null) {
            sql.append(" AND (model_label = ? OR model_path = ? OR model_hash LIKE ?)");
            args.add(f.model());
            args.add(f.model());
            args.add(f.model() + "%");
        }
        if (f.method() != null) {
            sql.append(" AND method = ?");
            args.add(f.method());
        }
        if (f.task() != null) {
            sql.append(" AND task = ?");
            args.add(f.task());
        }
        if (f.status() != null) {
            sql.append(" AND status = ?");
            args.add(f.status().dbName());
        }
        sql.append(" ORDER BY id DESC");
        return locked(() -> queryRuns(sql.toString(), args));
    }

    public List<RunRecord> runsByKey(String runKey) {
        return locked(() -> queryRuns("SELECT * FROM runs WHERE run_key = ? ORDER BY id DESC", List.of(runKey)));
    }

    /**
     * The newest finished (DONE) run with this run key over the first {@code limit} items (no random
     * sample), if any: the result a suite or the GUI reuses instead of evaluating again.
     */
    public Optional<RunRecord> findDone(String runKey, Integer limit) {
        return findDone(runKey, RunSpec.Options.defaults().withLimit(limit));
    }

    /**
     * The newest finished (DONE) run with this run key over the same items (same limit, same sample)
     * as {@code options} ask for, if any.
     */
    public Optional<RunRecord> findDone(String runKey, RunSpec.Options options) {
        return runsByKey(runKey).stream()
                .filter(r -> r.status() == RunStatus.DONE)
                .filter(r -> r.spec().options().sameItems(options))
                .findFirst();
    }

    /** Per-item results of a run (through its item key; empty while the key is unknown). */
    public Map<String, StoredItem> itemsFor(long runId) {
        RunRecord r = getRun(runId).orElseThrow(() -> new ResultsStoreException("no run " + runId + " in " + file));
        return r.itemKey() == null ? Map.of() : load(r.itemKey());
    }

    /** Records the item-store key the evaluator used for a run. */
    public void setItemKey(long runId, String itemKey) {
        locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("UPDATE runs SET item_key = ? WHERE id = ?")) {
                p.setString(1, itemKey);
                p.setLong(2, runId);
                if (p.executeUpdate() == 0) throw new ResultsStoreException("no run " + runId + " in " + file);
            }
            return null;
        });
    }

    /**
     * Deletes a run and its metrics; its items go too unless another run shares its item key
     * (they are the same results, still needed by that run).
     */
    public void deleteRun(long runId) {
        transaction(() -> {
            String key = null;
            try (PreparedStatement q = conn.prepareStatement("SELECT item_key FROM runs WHERE id = ?")) {
                q.setLong(1, runId);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) key = rs.getString(1);
                }
            }
            try (PreparedStatement d = conn.prepareStatement("DELETE FROM metrics WHERE run_id = ?")) {
                d.setLong(1, runId);
                d.executeUpdate();
            }
            try (PreparedStatement d = conn.prepareStatement("DELETE FROM runs WHERE id = ?")) {
                d.setLong(1, runId);
                d.executeUpdate();
            }
            if (key != null) {
                try (PreparedStatement d = conn.prepareStatement(
                        "DELETE FROM items WHERE run_key = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE item_key = ?)")) {
                    d.setString(1, key);
                    d.setString(2, key);
                    d.executeUpdate();
                }
            }
            return null;
        });
        fireRunChanged(runId);
    }

    /** What was written about a run (name, tags, notes, hidden); {@link RunLabels#NONE} for a run without labels. */
    public RunLabels labels(long runId) {
        return locked(() -> {
            try (PreparedStatement q =
                    conn.prepareStatement("SELECT name, tags, notes, hidden FROM runs WHERE id = ?")) {
                q.setLong(1, runId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) throw new ResultsStoreException("no run " + runId + " in " + file);
                    return readLabels(rs);
                }
            }
        });
    }

    /** The labels of every run that has any, by run id. */
    public Map<Long, RunLabels> allLabels() {
        return locked(() -> {
            Map<Long, RunLabels> out = new HashMap<>();
            try (PreparedStatement q = conn.prepareStatement(
                            "SELECT id, name, tags, notes, hidden FROM runs WHERE name IS NOT NULL OR tags IS NOT NULL"
                                    + " OR notes IS NOT NULL OR hidden <> 0");
                    ResultSet rs = q.executeQuery()) {
                while (rs.next()) out.put(rs.getLong("id"), readLabels(rs));
            }
            return Map.copyOf(out);
        });
    }

    /** Replaces what was written about a run. */
    public void setLabels(long runId, RunLabels labels) {
        locked(() -> {
            try (PreparedStatement p =
                    conn.prepareStatement("UPDATE runs SET name = ?, tags = ?, notes = ?, hidden = ? WHERE id = ?")) {
                p.setString(1, labels.name().isEmpty() ? null : labels.name());
                p.setString(2, labels.tags().isEmpty() ? null : Json.write(labels.tags()));
                p.setString(3, labels.notes().isEmpty() ? null : labels.notes());
                p.setInt(4, labels.hidden() ? 1 : 0);
                p.setLong(5, runId);
                if (p.executeUpdate() == 0) throw new ResultsStoreException("no run " + runId + " in " + file);
            }
            return null;
        });
        fireRunChanged(runId);
    }

    private static RunLabels readLabels(ResultSet rs) throws SQLException {
        return new RunLabels(
                rs.getString("name"),
                readJson(rs.getString("tags"), STRING_LIST, List.of()),
                rs.getString("notes"),
                rs.getInt("hidden") != 0);
    }

    // ---------------------------------------------------------------- deployment (speed and memory)

    /** Stores (or replaces) how a model ran on a machine under a protocol. */
    public void saveDeployment(DeploymentRecord d) {
        locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("""
                    INSERT OR REPLACE INTO deployment(model_hash, cpu, threads, protocol, created, prefill_tok_s,
                      decode_tok_s, weight_bytes, kv_cache_bytes, peak_rss_bytes, code_version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                p.setString(1, d.modelHash());
                p.setString(2, d.cpu());
                p.setInt(3, d.threads());
                p.setString(4, d.protocol());
                p.setString(5, d.created().toString());
                p.setDouble(6, d.prefillTokS());
                p.setDouble(7, d.decodeTokS());
                p.setLong(8, d.weightBytes());
                p.setLong(9, d.kvCacheBytes());
                p.setLong(10, d.peakRssBytes());
                p.setString(11, BuildInfo.version());
                p.executeUpdate();
            }
            return null;
        });
    }

    /**
     * The newest measurement of each model (by content hash) on {@code cpu} with {@code threads} threads
     * under {@code protocol}; models never measured there are absent.
     */
    public Map<String, DeploymentRecord> deployments(String cpu, int threads, String protocol) {
        return locked(() -> {
            Map<String, DeploymentRecord> out = new HashMap<>();
            try (PreparedStatement q = conn.prepareStatement(
                    "SELECT * FROM deployment WHERE cpu = ? AND threads = ? AND protocol = ? ORDER BY created")) {
                q.setString(1, cpu);
                q.setInt(2, threads);
                q.setString(3, protocol);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        long rss = rs.getLong("peak_rss_bytes");
                        if (rs.wasNull()) rss = -1;
                        out.put(
                                rs.getString("model_hash"),
                                new DeploymentRecord(
                                        rs.getString("model_hash"),
                                        rs.getString("cpu"),
                                        rs.getInt("threads"),
                                        rs.getString("protocol"),
                                        Instant.parse(rs.getString("created")),
                                        rs.getDouble("prefill_tok_s"),
                                        rs.getDouble("decode_tok_s"),
                                        rs.getLong("weight_bytes"),
                                        rs.getLong("kv_cache_bytes"),
                                        rss));
                    }
                }
            }
            return Map.copyOf(out);
        });
    }

    // ---------------------------------------------------------------- items (ItemStore)

    @Override
    public Map<String, StoredItem> load(String runKey) {
        return locked(() -> {
            Map<String, StoredItem> out = new HashMap<>();
            try (PreparedStatement p =
                    conn.prepareStatement("SELECT item_id, gold, chosen, payload FROM items WHERE run_key = ?")) {
                p.setString(1, runKey);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next())
                        out.put(
                                rs.getString(1),
                                new StoredItem(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getString(4)));
                }
            }
            return Map.copyOf(out);
        });
    }

    @Override
    public void save(String runKey, StoredItem item) {
        saveAll(runKey, List.of(item));
    }

    /** All items in one transaction: a batch of evaluated items costs one commit, not one per item. */
    @Override
    public void saveAll(String runKey, List<StoredItem> items) {
        if (items.isEmpty()) return;
        transaction(() -> {
            try (PreparedStatement p = conn.prepareStatement(
                    "INSERT OR REPLACE INTO items(run_key, item_id, gold, chosen, payload) VALUES (?,?,?,?,?)")) {
                for (StoredItem item : items) {
                    p.setString(1, runKey);
                    p.setString(2, item.itemId());
                    p.setInt(3, item.gold());
                    p.setInt(4, item.chosen());
                    p.setString(5, item.payloadJson() == null ? "{}" : item.payloadJson());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    public int itemCount(String runKey) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT COUNT(*) FROM items WHERE run_key = ?")) {
                p.setString(1, runKey);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    // ---------------------------------------------------------------- compressions

    public long saveCompression(CompressionRecord r) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("""
                    INSERT INTO compressions(created, model_hash, model_path, method, params, params_key, file_path,
                      file_hash, size_bytes, bits_per_weight, seconds, tensor_errors, code_version)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""", Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, (r.created() == null ? Instant.now() : r.created()).toString());
                p.setString(2, r.modelHash());
                p.setString(3, r.modelPath());
                p.setString(4, r.method());
                p.setString(5, Json.write(r.params()));
                p.setString(6, paramsKey(r.params()));
                p.setString(7, r.filePath());
                p.setString(8, r.fileHash());
                setLong(p, 9, r.sizeBytes());
                setDouble(p, 10, r.bitsPerWeight());
                setDouble(p, 11, r.seconds());
                p.setString(12, Json.write(r.tensorErrors()));
                p.setString(13, r.codeVersion());
                p.executeUpdate();
                try (ResultSet rs = p.getGeneratedKeys()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Compression records of a model (by weight content hash), newest first; null = all. */
    public List<CompressionRecord> compressions(String modelHash) {
        return locked(() -> {
            String sql = "SELECT * FROM compressions" + (modelHash == null ? "" : " WHERE model_hash = ?")
                    + " ORDER BY id DESC";
            try (PreparedStatement p = conn.prepareStatement(sql)) {
                if (modelHash != null) p.setString(1, modelHash);
                return readCompressions(p);
            }
        });
    }

    /** The newest compression of this model with exactly this setting whose file still exists. */
    public Optional<CompressionRecord> findCompression(String modelHash, String method, Map<String, String> params) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement(
                    "SELECT * FROM compressions WHERE model_hash = ? AND method = ? AND params_key = ? ORDER BY id DESC")) {
                p.setString(1, modelHash);
                p.setString(2, method);
                p.setString(3, paramsKey(params));
                return readCompressions(p).stream()
                        .filter(c -> Files.isRegularFile(Path.of(c.filePath())))
                        .findFirst();
            }
        });
    }

    /** The compression that produced a compressed model file, by the file's content hash (a run's model hash). */
    public Optional<CompressionRecord> compressionByFileHash(String fileHash) {
        return locked(() -> {
            try (PreparedStatement p =
                    conn.prepareStatement("SELECT * FROM compressions WHERE file_hash = ? ORDER BY id DESC")) {
                p.setString(1, fileHash);
                List<CompressionRecord> l = readCompressions(p);
                return l.isEmpty() ? Optional.<CompressionRecord>empty() : Optional.of(l.getFirst());
            }
        });
    }

    public void deleteCompression(long id) {
        locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("DELETE FROM compressions WHERE id = ?")) {
                p.setLong(1, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void close() {
        locked(() -> {
            conn.close();
            return null;
        });
    }

    // ---------------------------------------------------------------- internals

    private static String paramsKey(Map<String, String> params) {
        return Json.write(new TreeMap<>(params == null ? Map.of() : params));
    }

    private List<CompressionRecord> readCompressions(PreparedStatement p) throws SQLException {
        List<CompressionRecord> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new CompressionRecord(
                        rs.getLong("id"),
                        Instant.parse(rs.getString("created")),
                        rs.getString("model_hash"),
                        rs.getString("model_path"),
                        rs.getString("method"),
                        readJson(rs.getString("params"), STRING_MAP, Map.of()),
                        rs.getString("file_path"),
                        rs.getString("file_hash"),
                        getLong(rs, "size_bytes"),
                        getDouble(rs, "bits_per_weight"),
                        getDouble(rs, "seconds"),
                        readJson(rs.getString("tensor_errors"), ERRORS, List.of()),
                        rs.getString("code_version")));
            }
        }
        return out;
    }

    private List<RunRecord> queryRuns(String sql, List<?> args) throws SQLException {
        List<RunRecord> runs = new ArrayList<>();
        try (PreparedStatement p = conn.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) p.setObject(i + 1, args.get(i));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) runs.add(readRun(rs));
            }
        }
        if (runs.isEmpty()) return runs;
        Map<Long, List<RunRecord.Metric>> metrics = new HashMap<>();
        var in = new StringBuilder();
        for (int i = 0; i < runs.size(); i++) in.append(i == 0 ? "?" : ",?");
        try (PreparedStatement p = conn.prepareStatement(
                "SELECT run_id, name, value, stderr FROM metrics WHERE run_id IN (" + in + ") ORDER BY name")) {
            for (int i = 0; i < runs.size(); i++) p.setLong(i + 1, runs.get(i).id());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    metrics.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new RunRecord.Metric(
                                    rs.getString(2), nullToNaN(getDouble(rs, "value")), getDouble(rs, "stderr")));
                }
            }
        }
        List<RunRecord> out = new ArrayList<>(runs.size());
        for (RunRecord r : runs) {
            out.add(new RunRecord(
                    r.id(),
                    r.created(),
                    r.spec(),
                    r.task(),
                    r.taskVersion(),
                    r.runKey(),
                    r.itemKey(),
                    r.bitsPerWeight(),
                    r.totalBytes(),
                    r.codeVersion(),
                    r.machine(),
                    r.status(),
                    r.message(),
                    r.started(),
                    r.finished(),
                    r.seconds(),
                    r.timings(),
                    r.items(),
                    List.copyOf(metrics.getOrDefault(r.id(), List.of())),
                    r.details()));
        }
        return out;
    }

    private static RunRecord readRun(ResultSet rs) throws SQLException {
        String task = rs.getString("task");
        RunSpec.Options options = readJson(rs.getString("options"), RunSpec.Options.class, RunSpec.Options.defaults());
        RunSpec spec = new RunSpec(
                rs.getString("model_path") == null ? "?" : rs.getString("model_path"),
                rs.getString("model_label"),
                rs.getString("model_hash"),
                rs.getString("method"),
                readJson(rs.getString("method_params"), STRING_MAP, Map.of()),
                List.of(task),
                options);
        String machine = rs.getString("machine");
        return new RunRecord(
                rs.getLong("id"),
                Instant.parse(rs.getString("created")),
                spec,
                task,
                rs.getString("task_version"),
                rs.getString("run_key"),
                rs.getString("item_key"),
                getDouble(rs, "bits_per_weight"),
                getLong(rs, "total_bytes"),
                rs.getString("code_version"),
                machine == null ? null : readJson(machine, MachineInfo.class, null),
                RunStatus.fromDb(rs.getString("status")),
                rs.getString("message"),
                instant(rs.getString("started")),
                instant(rs.getString("finished")),
                getDouble(rs, "seconds"),
                readJson(rs.getString("timings"), DOUBLE_MAP, Map.of()),
                rs.getObject("item_count") == null ? null : rs.getInt("item_count"),
                List.of(),
                readJson(rs.getString("details"), STRING_MAP, Map.of()));
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    private static <T> T readJson(String json, Class<T> type, T fallback) {
        if (json == null || json.isBlank()) return fallback;
        return Json.read(json, type);
    }

    private static <T> T readJson(String json, TypeReference<T> type, T fallback) {
        if (json == null || json.isBlank()) return fallback;
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new ResultsStoreException("corrupt JSON in results database: " + e.getMessage(), e);
        }
    }

    private static Double getDouble(ResultSet rs, String col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    private static double nullToNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static void setDouble(PreparedStatement p, int i, Double v) throws SQLException {
        // SQLite has no NaN: store it (and infinities from divergent perplexities) as NULL rather than fail.
        if (v == null || v.isNaN() || v.isInfinite()) p.setNull(i, Types.REAL);
        else p.setDouble(i, v);
    }

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) p.setNull(i, Types.INTEGER);
        else p.setLong(i, v);
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** {@link #locked} work in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T transaction(SqlWork<T> work) {
        return locked(() -> {
            conn.setAutoCommit(false);
            try {
                T result = work.run();
                conn.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        });
    }

    private <T> T locked(SqlWork<T> work) {
        lock.lock();
        try {
            return work.run();
        } catch (SQLException e) {
            throw new ResultsStoreException(file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A database error, naming the database file. */
    public static final class ResultsStoreException extends RuntimeException {
        public ResultsStoreException(String message) {
            super(message);
        }

        public ResultsStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
