package dev.llmcw.suite;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.caldera.adapt.FinetuneOverrides;
import dev.llmcw.results.RunSpec;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A suite file: a sweep of models × method settings × tasks, run headless by {@link SuiteRunner}.
 * YAML or JSON with these fields (paths are relative to the suite file):
 *
 * <pre>{@code
 * name: stories-sweep            # required, labels the sweep
 * db: results.db                 # optional results database (else --db, else $WORKBENCH_HOME/results.db)
 * workDir: suite-work            # optional folder for compressed models and per-tensor resume state
 *                                #   (default: $WORKBENCH_HOME/suites/<name>)
 * report: report                 # optional folder: after the sweep, the report of its runs (report.html/.md,
 *                                #   charts such as accuracy vs bits/weight, runs.csv), as `workbench report` writes it
 * models:                        # required, at least one
 *   - path: ../../shared/models/stories260K/stories260K.bin
 *     label: stories260K         # optional, default: file name without extension
 * methods:                       # required, at least one; each entry expands to settings
 *   - method: none               # the uncompressed model
 *   - method: rtn
 *     params: {group: 64}        # fixed parameters of every setting of this entry
 *     sweep: {bits: [2, 3, 4]}   # one setting per combination (cartesian product, in file order)
 *   - method: seedlm
 *     sweep: {C: [8], P: [3, 4], K: [16]}
 *   - method: caldera
 *     params: {rank: 8, calib: calib.txt}
 *     sweep: {ft_rank: [4, 8]}
 *     finetune: true             # CALDERA with ft_rank > 0: fine-tune after compressing, on the calibration text
 *                                #   (or a map of overrides: {epochs: 1, lr: 0.0005}; see docs/suites.md)
 * tasks: [piqa, hellaswag, tinystories_ppl]   # required, at least one (task names of the eval command)
 * options:                       # optional evaluation options, the same for every run
 *   limit: 200                   # the first 200 items per task, as lm-eval's --limit (default: all)
 *   sample: 200                  # or a seeded random 200 items per task (not with limit)
 *   seed: 1234                   # seed of the sample
 *   bos: false                   # default: tokenizer default
 *   maxLength: 512
 *   fidelity: true               # compressed models also get KL / top-1 / flips against the base
 *   codePath: dense              # or on-the-fly; default: each method's (on the fly but SeedLM)
 * executor:                      # optional: where the work runs (default: type local, this process)
 *   type: slurm                  # compression and evaluation shards as Slurm jobs (see docs/cluster.md)
 *   partition: gpu               # optional sbatch --partition, --account, --time, --mem, --cpus-per-task
 *   account: lab
 *   time: "02:00:00"
 *   mem: 32G
 *   cpusPerTask: 16
 *   sbatch: ["--qos=normal"]     # optional further sbatch flags
 *   preamble: "module load java/25"   # optional lines the job script runs first (modules, container)
 *   shardItems: 500              # items per evaluation shard (default 500)
 *   retries: 2                   # resubmissions of a failed or cancelled shard (default 2)
 *   compressShards: 4            # jobs per compression, whole layers each (default 1); see docs/cluster.md
 *   requeue: true                # sbatch --requeue: Slurm requeues pre-empted jobs (default true)
 * }</pre>
 *
 * Parameter values are kept as strings ("4", "0.5"), the form {@code CompressionMethod.parameters()}
 * uses, so "4" and 4 are the same setting. Unknown fields are errors (a misspelt key must not
 * silently run a different sweep).
 */
public record SuiteSpec(
        String name,
        String db,
        String workDir,
        String report,
        List<ModelEntry> models,
        List<MethodEntry> methods,
        List<String> tasks,
        Options options,
        Executor executor) {

    public record ModelEntry(String path, String label) {}

    /** @param finetune CALDERA only: true, or a map of overrides, fine-tunes every setting after compressing */
    public record MethodEntry(
            String method, Map<String, Object> params, Map<String, List<Object>> sweep, Object finetune) {}

    public record Options(
            Integer limit,
            Integer sample,
            Long seed,
            Boolean bos,
            Integer maxLength,
            Boolean fidelity,
            String codePath) {}

    /**
     * Where a suite's work runs: {@code local} (this process, the default) or {@code slurm} (jobs on a Slurm
     * cluster, sharded; see {@code dev.llmcw.cluster}). Null fields take the defaults; {@code sbatch} are
     * extra sbatch flags, {@code preamble} shell lines the job script runs before the workbench, {@code
     * launcher} the command that starts the workbench on the nodes (default: the one running now).
     */
    public record Executor(
            String type,
            String partition,
            String account,
            String time,
            String mem,
            Integer cpusPerTask,
            List<String> sbatch,
            String preamble,
            Integer shardItems,
            Integer retries,
            String launcher,
            Integer compressShards,
            Boolean requeue) {
        public static final String LOCAL = "local", SLURM = "slurm";
        public static final int DEFAULT_SHARD_ITEMS = 500, DEFAULT_RETRIES = 2, DEFAULT_COMPRESS_SHARDS = 1;

        public static Executor local() {
            return new Executor(LOCAL, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        public Executor {
            if (type == null || type.isBlank()) type = LOCAL;
            type = type.toLowerCase(Locale.ROOT);
            sbatch = sbatch == null ? List.of() : List.copyOf(sbatch);
        }

        public boolean isSlurm() {
            return SLURM.equals(type);
        }

        public int shardItemsOrDefault() {
            return shardItems == null ? DEFAULT_SHARD_ITEMS : shardItems;
        }

        public int retriesOrDefault() {
            return retries == null ? DEFAULT_RETRIES : retries;
        }

        /** Jobs one compression is split into (whole layers each; 1: one job, the default). */
        public int compressShardsOrDefault() {
            return compressShards == null ? DEFAULT_COMPRESS_SHARDS : compressShards;
        }

        /** Whether jobs ask Slurm to requeue them when pre-empted or their node fails (sbatch --requeue; default on). */
        public boolean requeueOrDefault() {
            return requeue == null || requeue;
        }

        /** This one with {@code o}'s type and every non-null field of {@code o} (command-line options over the file). */
        public Executor overriddenBy(Executor o) {
            return new Executor(
                    o.type,
                    o.partition != null ? o.partition : partition,
                    o.account != null ? o.account : account,
                    o.time != null ? o.time : time,
                    o.mem != null ? o.mem : mem,
                    o.cpusPerTask != null ? o.cpusPerTask : cpusPerTask,
                    o.sbatch.isEmpty() ? sbatch : o.sbatch,
                    o.preamble != null ? o.preamble : preamble,
                    o.shardItems != null ? o.shardItems : shardItems,
                    o.retries != null ? o.retries : retries,
                    o.launcher != null ? o.launcher : launcher,
                    o.compressShards != null ? o.compressShards : compressShards,
                    o.requeue != null ? o.requeue : requeue);
        }

        /** One sentence on what is wrong, or null. */
        public String problem() {
            if (!type.equals(LOCAL) && !type.equals(SLURM))
                return "executor.type must be \"local\" or \"slurm\", not \"" + type + "\"";
            if (shardItems != null && shardItems <= 0)
                return "executor.shardItems must be a positive number of items, not " + shardItems;
            if (retries != null && retries < 0) return "executor.retries must be 0 or more, not " + retries;
            if (compressShards != null && compressShards <= 0)
                return "executor.compressShards must be a positive number of jobs, not " + compressShards;
            if (cpusPerTask != null && cpusPerTask <= 0)
                return "executor.cpusPerTask must be a positive number, not " + cpusPerTask;
            return null;
        }
    }

    /** The executor the file names, else {@link Executor#local()}. */
    public Executor executorOrLocal() {
        return executor == null ? Executor.local() : executor;
    }

    /** One expanded method setting. */
    public record Setting(String method, Map<String, String> params) {
        public boolean isBase() {
            return RunSpec.NO_METHOD.equals(method);
        }

        /**
         * What the method's {@link MethodDescriptor} refuses in this setting (unknown method, parameters that
         * are unknown, ill-typed or out of range), or null when it accepts it (the base model always).
         */
        public String problem() {
            if (isBase()) return null;
            try {
                String finetune = params.get(FinetuneOverrides.KEY);
                if (finetune != null) {
                    if (!method.equals("caldera"))
                        return "finetune: is CALDERA's low-rank adaptation; method " + method
                                + " has no adapters to train";
                    if (ftRank(params) <= 0)
                        return "finetune: needs ft_rank > 0 (the 16-bit components it trains); this setting has ft_rank "
                                + params.getOrDefault("ft_rank", "0");
                    FinetuneOverrides.parse(finetune);
                }
                MethodRegistry.get(method).arguments(methodParams(), Path.of(""), null);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        /** The parameters the method itself takes: the setting's without the fine-tuning step. */
        public Map<String, String> methodParams() {
            return withoutFinetune(params);
        }

        public String label() {
            if (params.isEmpty()) return method;
            var sb = new StringBuilder(method);
            params.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            return sb.toString();
        }
    }

    // duplicate keys are errors too: with the default the last one silently wins
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

    /** Reads and validates a suite file (YAML or JSON; JSON is valid YAML). */
    public static SuiteSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read suite file: " + e.getMessage(), e);
        }
        return parse(text, file);
    }

    /**
     * Parses and validates suite text (the GUI's editor); {@code file} names the suite in error
     * messages and is where its relative paths will resolve from.
     */
    public static SuiteSpec parse(String text, Path file) {
        SuiteSpec s;
        try {
            s = YAML.readValue(text, SuiteSpec.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": invalid suite file: " + describe(e, text), e);
        }
        if (s == null) throw new IllegalArgumentException(file + ": empty suite file");
        s.validate(file);
        return s;
    }

    private static String describe(IOException e, String text) {
        if (e instanceof UnrecognizedPropertyException u) {
            // records are read through a buffering creator, so Jackson's location is the end of the
            // enclosing object; point at the line where the unknown key is written instead
            String key = u.getPropertyName();
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).matches(".*(^|[\\s{,\"'])" + Pattern.quote(key) + "[\"']?\\s*:.*"))
                    return "unknown field \"" + key + "\" (line " + (i + 1) + ")";
            }
            return "unknown field \"" + key + "\"";
        }
        if (e instanceof InvalidFormatException f && !f.getPath().isEmpty()) {
            // name the field ("options.sample must be a number, not "many"") rather than the Java type
            String field = f.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
            var loc = f.getLocation();
            return field + " must be a "
                    + (Number.class.isAssignableFrom(f.getTargetType())
                            ? "number"
                            : f.getTargetType().getSimpleName()) + ", not \"" + f.getValue() + "\""
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ")");
        }
        if (e instanceof JsonProcessingException j) {
            var loc = j.getLocation();
            String line = loc == null ? "" : " (line " + loc.getLineNr() + ")";
            Matcher dup = DUPLICATE.matcher(j.getOriginalMessage());
            if (dup.lookingAt()) return "duplicate key \"" + dup.group(1) + "\"" + line;
            return j.getOriginalMessage().lines().findFirst().orElse("")
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ")");
        }
        return e.getMessage();
    }

    void validate(Path file) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException(file + ": suite needs a \"name\"");
        if (models == null || models.isEmpty())
            throw new IllegalArgumentException(file + ": suite needs at least one entry in \"models\"");
        for (int i = 0; i < models.size(); i++)
            if (models.get(i) == null
                    || models.get(i).path() == null
                    || models.get(i).path().isBlank())
                throw new IllegalArgumentException(file + ": models[" + i + "] needs a \"path\"");
        if (methods == null || methods.isEmpty())
            throw new IllegalArgumentException(
                    file + ": suite needs at least one entry in \"methods\" (use \"method: none\" for the base model)");
        for (int i = 0; i < methods.size(); i++) {
            MethodEntry m = methods.get(i);
            if (m == null || m.method() == null || m.method().isBlank())
                throw new IllegalArgumentException(file + ": methods[" + i + "] needs a \"method\"");
            if (m.sweep() != null)
                for (var e : m.sweep().entrySet())
                    if (e.getValue() == null || e.getValue().isEmpty())
                        throw new IllegalArgumentException(file + ": methods[" + i + "].sweep." + e.getKey()
                                + " needs a non-empty list of values");
            try {
                FinetuneOverrides.text(m.finetune());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": methods[" + i + "]: " + e.getMessage(), e);
            }
            if (RunSpec.NO_METHOD.equals(m.method())
                    && ((m.params() != null && !m.params().isEmpty())
                            || (m.sweep() != null && !m.sweep().isEmpty())))
                throw new IllegalArgumentException(file + ": methods[" + i + "]: method \"none\" takes no parameters");
        }
        if (tasks == null || tasks.isEmpty())
            throw new IllegalArgumentException(file + ": suite needs at least one entry in \"tasks\"");
        if (options != null && options.limit() != null && options.limit() <= 0)
            throw new IllegalArgumentException(
                    file + ": options.limit must be a positive number of items, not " + options.limit());
        if (options != null && options.sample() != null && options.sample() <= 0)
            throw new IllegalArgumentException(
                    file + ": options.sample must be a positive number of items, not " + options.sample());
        if (options != null && options.limit() != null && options.sample() != null)
            throw new IllegalArgumentException(
                    file
                            + ": options.limit (the first N items) and options.sample (a random N) cannot be combined; give one of them");
        if (options != null
                && options.codePath() != null
                && !List.of("dense", "on-the-fly").contains(options.codePath()))
            throw new IllegalArgumentException(file + ": options.codePath must be \"dense\" or \"on-the-fly\"");
        if (executor != null && executor.problem() != null)
            throw new IllegalArgumentException(file + ": " + executor.problem());
    }

    /**
     * One sentence per setting whose method is unknown or whose parameters are unknown, ill-typed or out of
     * range (checked against the method's {@link MethodDescriptor}). Not thrown by {@link #parse}: the suite
     * command and the GUI collect these with every other problem ({@link SuiteRunner#problems}) and refuse
     * to start, so one run of {@code suite --dry-run} lists every mistake. Whether a calibration file exists
     * is checked when the method is built.
     */
    public List<String> methodProblems() {
        return settings().stream()
                .map(Setting::problem)
                .filter(Objects::nonNull)
                .toList();
    }

    /** Every method setting, in file order (the sweep's cartesian product, last key varying fastest). */
    public List<Setting> settings() {
        // Keeps first occurrences in order and drops repeats in constant time: a list's contains() made large sweeps
        // quadratic, and so would a hash set of Settings, whose Map.hashCode (sum of key ^ value) collides for
        // nearly all settings of a sweep over small numbers. The canonical text of a setting hashes well.
        Map<String, Setting> out = new LinkedHashMap<>();
        for (MethodEntry m : methods) {
            List<Map<String, String>> combos = new ArrayList<>();
            Map<String, String> fixed = new LinkedHashMap<>();
            if (m.params() != null) m.params().forEach((k, v) -> fixed.put(k, text(v)));
            // override values in the suite's number form ("4", not "4.0"), as parameters are
            Object overrides = m.finetune() instanceof Map<?, ?> map ? textValues(map) : m.finetune();
            String finetune = FinetuneOverrides.text(overrides);
            if (finetune != null) fixed.put(FinetuneOverrides.KEY, finetune);
            combos.add(fixed);
            if (m.sweep() != null) {
                for (var e : m.sweep().entrySet()) {
                    List<Map<String, String>> next = new ArrayList<>();
                    for (Map<String, String> c : combos) {
                        for (Object v : e.getValue()) {
                            Map<String, String> n = new LinkedHashMap<>(c);
                            n.put(e.getKey(), text(v));
                            next.add(n);
                        }
                    }
                    combos = next;
                }
            }
            for (Map<String, String> c : combos) {
                Setting setting =
                        new Setting(m.method().toLowerCase(Locale.ROOT), Collections.unmodifiableMap(new TreeMap<>(c)));
                out.putIfAbsent(setting.method() + "\n" + Json.write(setting.params()), setting);
            }
        }
        return List.copyOf(out.values());
    }

    /** Evaluation options of every run of this suite (fidelity base filled in per model by the runner). */
    public RunSpec.Options runOptions() {
        Options o = options == null ? new Options(null, null, null, null, null, null, null) : options;
        return new RunSpec.Options(
                o.limit(), o.sample(), o.seed(), o.bos(), o.maxLength(), null, null, o.codePath(), Map.of());
    }

    /**
     * The evaluation options of one setting's runs on {@code model}: fidelity against that model when the suite
     * asks for it, and, when the suite names no code path, the one the setting's method runs by default.
     * The local runner and the cluster planner both take a run's options from here, so their runs are the same.
     */
    public RunSpec.Options runOptions(Setting s, Path model, String modelHash) {
        RunSpec.Options o = runOptions();
        if (s.isBase()) return o;
        if (fidelity()) o = o.withFidelityBase(model.toString(), modelHash);
        if (codePath() == null)
            o = o.withCodePath(
                    CompressedModels.runsOnTheFly(s.method()) ? CompressedModels.ON_THE_FLY : CompressedModels.DENSE);
        return o;
    }

    /** The code path the suite's options name ("dense" or "on-the-fly"), or null: each method's default. */
    public String codePath() {
        return options == null ? null : options.codePath();
    }

    /** The same suite with every task limited to {@code limit} items (a quick run of a preset). */
    public SuiteSpec withLimit(int limit) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive, got " + limit);
        Options o = options == null ? new Options(null, null, null, null, null, null, null) : options;
        return new SuiteSpec(
                name,
                db,
                workDir,
                report,
                models,
                methods,
                tasks,
                new Options(limit, null, o.seed(), o.bos(), o.maxLength(), o.fidelity(), o.codePath()),
                executor);
    }

    /** The same suite run by {@code executor} (the command line's choice over the file's). */
    public SuiteSpec withExecutor(Executor executor) {
        return new SuiteSpec(name, db, workDir, report, models, methods, tasks, options, executor);
    }

    public boolean fidelity() {
        return options != null && Boolean.TRUE.equals(options.fidelity());
    }

    /** Number of task runs the suite asks for. */
    public int runCount() {
        return models.size() * settings().size() * tasks.size();
    }

    private static int ftRank(Map<String, String> params) {
        try {
            return Integer.parseInt(params.getOrDefault("ft_rank", "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A setting's parameters without its fine-tuning step (what the compression method itself takes). */
    public static Map<String, String> withoutFinetune(Map<String, String> params) {
        if (!params.containsKey(FinetuneOverrides.KEY)) return params;
        var out = new TreeMap<>(params);
        out.remove(FinetuneOverrides.KEY);
        return out;
    }

    private static Map<String, String> textValues(Map<?, ?> map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), text(v)));
        return out;
    }

    static String text(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString(d.longValue());
        return String.valueOf(v);
    }
}
