package dev.llmcw.results;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The results database schema as an ordered list of migration steps. A database records the number
 * of steps applied in {@code schema_version}; opening it applies the missing steps in order, each in
 * its own transaction. Steps are append-only: never edit a released step, add a new one.
 */
final class SchemaMigrations {
    private SchemaMigrations() {}

    /** Step i (0-based) upgrades a database from version i to i+1. */
    static final List<List<String>> STEPS = List.of(
            // v1: runs, per-item results keyed by run key, metrics.
            List.of("""
                    CREATE TABLE runs (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      created TEXT NOT NULL,
                      model_label TEXT, model_path TEXT, model_hash TEXT,
                      method TEXT NOT NULL, method_params TEXT NOT NULL DEFAULT '{}',
                      task TEXT NOT NULL, task_version TEXT,
                      options TEXT NOT NULL DEFAULT '{}',
                      code_version TEXT,
                      status TEXT NOT NULL)""", """
                    CREATE TABLE items (
                      run_key TEXT NOT NULL, item_id TEXT NOT NULL,
                      gold INTEGER NOT NULL, chosen INTEGER NOT NULL, payload TEXT NOT NULL,
                      PRIMARY KEY (run_key, item_id)) WITHOUT ROWID""", """
                    CREATE TABLE metrics (
                      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                      name TEXT NOT NULL, value REAL, stderr REAL,
                      PRIMARY KEY (run_id, name))"""),
            // v2: run key (reuse of finished runs), item key (where the evaluator stored the items),
            // size, timings, machine, outcome.
            List.of(
                    "ALTER TABLE runs ADD COLUMN run_key TEXT",
                    "ALTER TABLE runs ADD COLUMN item_key TEXT",
                    "ALTER TABLE runs ADD COLUMN bits_per_weight REAL",
                    "ALTER TABLE runs ADD COLUMN total_bytes INTEGER",
                    "ALTER TABLE runs ADD COLUMN started TEXT",
                    "ALTER TABLE runs ADD COLUMN finished TEXT",
                    "ALTER TABLE runs ADD COLUMN seconds REAL",
                    "ALTER TABLE runs ADD COLUMN timings TEXT NOT NULL DEFAULT '{}'",
                    "ALTER TABLE runs ADD COLUMN machine TEXT",
                    "ALTER TABLE runs ADD COLUMN message TEXT",
                    "ALTER TABLE runs ADD COLUMN item_count INTEGER",
                    "ALTER TABLE runs ADD COLUMN details TEXT NOT NULL DEFAULT '{}'",
                    // v1 runs had no key: give each its own so they never claim someone else's items.
                    "UPDATE runs SET run_key = 'legacy-' || id, item_key = 'legacy-' || id, started = created WHERE run_key IS NULL",
                    "CREATE INDEX runs_by_key ON runs(run_key)",
                    "CREATE INDEX runs_by_model ON runs(model_label, method, task)"),
            // v3: compression records, so suites skip finished compressions.
            List.of("""
                    CREATE TABLE compressions (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      created TEXT NOT NULL,
                      model_hash TEXT NOT NULL, model_path TEXT,
                      method TEXT NOT NULL, params TEXT NOT NULL, params_key TEXT NOT NULL,
                      file_path TEXT NOT NULL, file_hash TEXT,
                      size_bytes INTEGER, bits_per_weight REAL, seconds REAL,
                      tensor_errors TEXT NOT NULL DEFAULT '[]',
                      code_version TEXT)""", "CREATE INDEX compressions_by_setting ON compressions(model_hash, method, params_key)"),
            // v4: the process evaluating a running run (id and start time), so a run whose process was
            // killed is marked interrupted when the database is next opened instead of staying "running".
            List.of("ALTER TABLE runs ADD COLUMN owner_pid INTEGER", "ALTER TABLE runs ADD COLUMN owner_started TEXT"),
            // v5: "limit" used to mean a seeded random subset; it now means the first N items (lm-eval's
            // --limit) and the random subset is "sample". Stored runs keep what they evaluated: their limit
            // becomes a sample, so a new first-N run never reuses one of them.
            List.of("""
                    UPDATE runs SET options = json_set(json_remove(options, '$.limit'), '$.sample', json_extract(options, '$.limit'))
                    WHERE json_valid(options) AND json_type(options, '$.limit') = 'integer'"""),
            // v6: what the researcher wrote about a run (name, tags as a JSON array, notes) and whether it is hidden.
            List.of(
                    "ALTER TABLE runs ADD COLUMN name TEXT",
                    "ALTER TABLE runs ADD COLUMN tags TEXT",
                    "ALTER TABLE runs ADD COLUMN notes TEXT",
                    "ALTER TABLE runs ADD COLUMN hidden INTEGER DEFAULT 0"),
            // v7: how each evaluated model runs on a machine (the deployment probe): speed and memory by model
            // content hash, machine (CPU model) and thread count, so charts can put accuracy against them.
            List.of("""
                    CREATE TABLE deployment (
                      model_hash TEXT NOT NULL, cpu TEXT NOT NULL, threads INTEGER NOT NULL, protocol TEXT NOT NULL,
                      created TEXT NOT NULL, prefill_tok_s REAL NOT NULL, decode_tok_s REAL NOT NULL,
                      weight_bytes INTEGER NOT NULL, kv_cache_bytes INTEGER NOT NULL, peak_rss_bytes INTEGER,
                      code_version TEXT,
                      PRIMARY KEY (model_hash, cpu, threads, protocol))"""));

    static int latest() {
        return STEPS.size();
    }

    /** The version whose runs record their owning process ({@code owner_pid}, {@code owner_started}). */
    static final int OWNER_VERSION = 4;

    /** Current version of the database (0 for an empty one). */
    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            try (var rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** Applies the steps between the database's version and {@code target}. */
    static void migrate(Connection c, int target) throws SQLException {
        int v = version(c);
        if (v > latest())
            throw new SQLException("results database has schema version " + v + ", newer than this workbench ("
                    + latest() + "); use a newer workbench or another --db");
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int step = v; step < target; step++) {
                try (Statement s = c.createStatement()) {
                    for (String sql : STEPS.get(step)) s.execute(sql);
                    s.execute("INSERT INTO schema_version(version) VALUES (" + (step + 1) + ")");
                }
                c.commit();
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
