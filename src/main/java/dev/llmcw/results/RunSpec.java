package dev.llmcw.results;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.llmcw.eval.ItemSubset;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One evaluation request, shared by the GUI and the CLI and stored (as JSON) with every run: which
 * weights, which compression setting, which tasks, which options.
 *
 * <pre>{@code
 * {"modelPath": "models/stories260K.bin", "modelLabel": "stories260K", "modelHash": "b0a5…",
 *  "method": "seedlm", "methodParams": {"C": "8", "P": "3", "K": "16"},
 *  "tasks": ["piqa", "tinystories"],
 *  "options": {"limit": 200, "seed": 1234, "bos": false, "maxLength": 512,
 *              "fidelityBase": "models/stories260K.bin", "fidelityBaseHash": "b0a5…", "codePath": "dense"}}
 * }</pre>
 *
 * @param modelPath    the model that is evaluated: the base model, or the compressed model file
 * @param modelLabel   short name for tables and charts
 * @param modelHash    {@link ModelHashes#contentHash(Path)} of {@code modelPath}; required for cache keys
 * @param method       "none" for the uncompressed model, else the compression method name
 * @param methodParams the method's parameters as strings (empty for "none")
 * @param tasks        task names ("piqa", "hellaswag", "arc_easy", …)
 * @param options      evaluation options
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSpec(
        String modelPath,
        String modelLabel,
        String modelHash,
        String method,
        Map<String, String> methodParams,
        List<String> tasks,
        Options options) {

    public static final String NO_METHOD = "none";
    /** Bumped when the meaning of stored items changes in a way the other key parts do not capture. */
    static final int CACHE_KEY_VERSION = 1;

    public RunSpec {
        if (modelPath == null || modelPath.isBlank()) throw new IllegalArgumentException("RunSpec needs a model path");
        if (modelLabel == null || modelLabel.isBlank()) modelLabel = defaultLabel(modelPath);
        if (method == null || method.isBlank()) method = NO_METHOD;
        methodParams = methodParams == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(methodParams));
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        if (options == null) options = Options.defaults();
    }

    /** Evaluation of the base model (no compression). */
    public static RunSpec base(Path model, String modelHash, List<String> tasks, Options options) {
        return new RunSpec(model.toString(), null, modelHash, NO_METHOD, Map.of(), tasks, options);
    }

    /**
     * Evaluation options.
     *
     * @param limit            evaluate only the first {@code limit} items, as lm-eval's --limit (null = all)
     * @param sample           evaluate a seeded random subset of {@code sample} items instead (null = none);
     *                         runs stored before --sample existed had their random-subset "limit" moved here
     *                         by the schema migration
     * @param seed             seed for anything random (item subsets, sampling)
     * @param bos              prepend BOS (null = tokenizer default); lm-eval ≤ 0.4.9.1 uses false
     * @param maxLength        context window used for scoring (null = model's)
     * @param fidelityBase     base model path for fidelity metrics (KL, top-1 agreement, flips), or null
     * @param fidelityBaseHash content hash of {@code fidelityBase}; required when it is set
     * @param codePath         which kernels score ("dense" = weights decoded once, "on-the-fly" = decoded
     *                         inside the matvec); float rounding may differ between them
     * @param extra            anything else that changes numbers (task variants, prompt templates)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Options(
            Integer limit,
            Integer sample,
            Long seed,
            Boolean bos,
            Integer maxLength,
            String fidelityBase,
            String fidelityBaseHash,
            String codePath,
            Map<String, String> extra) {
        public Options {
            if (seed == null) seed = 1234L;
            if (codePath == null || codePath.isBlank()) codePath = "dense";
            extra = extra == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(extra));
            if (limit != null && limit <= 0) throw new IllegalArgumentException("limit must be positive: " + limit);
            if (sample != null && sample <= 0) throw new IllegalArgumentException("sample must be positive: " + sample);
            if (limit != null && sample != null) throw new IllegalArgumentException(ItemSubset.BOTH_GIVEN);
        }

        /** Without a random sample (the shape of the options before --sample existed). */
        public Options(
                Integer limit,
                Long seed,
                Boolean bos,
                Integer maxLength,
                String fidelityBase,
                String fidelityBaseHash,
                String codePath,
                Map<String, String> extra) {
            this(limit, null, seed, bos, maxLength, fidelityBase, fidelityBaseHash, codePath, extra);
        }

        public static Options defaults() {
            return new Options(null, null, 1234L, null, null, null, null, "dense", Map.of());
        }

        /** The first {@code l} items (null = all); clears a sample. */
        public Options withLimit(Integer l) {
            return new Options(l, null, seed, bos, maxLength, fidelityBase, fidelityBaseHash, codePath, extra);
        }

        /** A seeded random subset of {@code n} items (null = none); clears a limit. */
        public Options withSample(Integer n) {
            return new Options(null, n, seed, bos, maxLength, fidelityBase, fidelityBaseHash, codePath, extra);
        }

        /** The same options run by the kernels {@code path} names ("dense" or "on-the-fly"). */
        public Options withCodePath(String path) {
            return new Options(limit, sample, seed, bos, maxLength, fidelityBase, fidelityBaseHash, path, extra);
        }

        public Options withFidelityBase(String path, String hash) {
            return new Options(limit, sample, seed, bos, maxLength, path, hash, codePath, extra);
        }

        /** Whether a stored run with options {@code o} evaluated the same items as these options ask for. */
        public boolean sameItems(Options o) {
            return Objects.equals(limit, o.limit) && Objects.equals(sample, o.sample);
        }
    }

    /**
     * Key of the stored per-item results of {@code task} under this spec: a hash of everything that
     * changes an item's numbers — weight content hash, method and parameters, task and task version,
     * seed, BOS, max length, fidelity base hash, code path, extra options and this key's own version.
     * Paths and labels are NOT part of it (moving a file keeps its results; changing its bytes does
     * not). {@code limit} and {@code sample} are not part of it either: an item's result does not
     * depend on which items were asked for, so a longer run reuses the items of a shorter one; which
     * items a finished run covered is matched separately ({@link Options#sameItems}).
     */
    public String cacheKey(String task, String taskVersion) {
        return cacheKey(task, taskVersion, null);
    }

    /**
     * As {@link #cacheKey(String, String)}, also covering the task's data (content hash of its
     * files): the same task read from another copy of the data (sample vs full set) is another run.
     */
    public String cacheKey(String task, String taskVersion, String dataHash) {
        if (modelHash == null || modelHash.isBlank())
            throw new IllegalStateException(
                    "RunSpec for " + modelPath + " has no weight content hash (ModelHashes.contentHash)");
        if (options.fidelityBase() != null
                && (options.fidelityBaseHash() == null
                        || options.fidelityBaseHash().isBlank()))
            throw new IllegalStateException("fidelity base " + options.fidelityBase() + " has no content hash");
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("v", CACHE_KEY_VERSION);
        k.put("weights", modelHash);
        k.put("method", method);
        k.put("params", methodParams);
        k.put("task", task);
        k.put("taskVersion", taskVersion);
        k.put("data", dataHash);
        k.put("seed", options.seed());
        k.put("bos", options.bos());
        k.put("maxLength", options.maxLength());
        k.put("fidelityBaseHash", options.fidelityBaseHash());
        k.put("codePath", options.codePath());
        k.put("extra", options.extra());
        return task + ":" + Hashing.sha256(Json.write(k)).substring(0, 40);
    }

    /** A copy with the content hash computed (cached) for the model and the fidelity base. */
    public RunSpec withHashes(ModelHashes hashes) {
        String h = modelHash != null ? modelHash : hashes.hash(Path.of(modelPath));
        Options o = options;
        if (o.fidelityBase() != null && o.fidelityBaseHash() == null)
            o = o.withFidelityBase(o.fidelityBase(), hashes.hash(Path.of(o.fidelityBase())));
        return new RunSpec(modelPath, modelLabel, h, method, methodParams, tasks, o);
    }

    public RunSpec withTasks(List<String> t) {
        return new RunSpec(modelPath, modelLabel, modelHash, method, methodParams, t, options);
    }

    public RunSpec withOptions(Options o) {
        return new RunSpec(modelPath, modelLabel, modelHash, method, methodParams, tasks, o);
    }

    @JsonIgnore
    public boolean isBaseModel() {
        return NO_METHOD.equals(method);
    }

    public String toJson() {
        return Json.write(this);
    }

    public static RunSpec fromJson(String json) {
        return Json.read(json, RunSpec.class);
    }

    public static RunSpec read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read run spec: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static String defaultLabel(String path) {
        Path p = Path.of(path).getFileName();
        String name = p == null ? path : p.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
