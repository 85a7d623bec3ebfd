package dev.llmcw.cli;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.eval.BosMode;
import dev.llmcw.eval.EvalOptions;
import dev.llmcw.eval.Evaluator;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.ScoringModel;
import dev.llmcw.eval.ScoringModels;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.TaskResult;
import dev.llmcw.eval.export.ResultsExport;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelLoader;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", description = {
        "Zero-shot evaluation scored exactly like lm-evaluation-harness (loglikelihood multiple choice, rolling perplexity).",
        "Writes results.json (lm-eval layout), results.csv and results.md to --out."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model: llama2.c file, Hugging Face folder, GGUF file")
    Path model;

    @Option(names = "--tokenizer", description = "tokenizer file (tokenizer.json or llama2.c .bin) when not beside the model")
    Path tokenizer;

    @Option(names = "--label", description = "model family name in the results store, tables and charts (default: the model's name; "
            + "for a compressed model file, the name of the model it was compressed from)")
    String label;

    @Option(names = "--base", description = "uncompressed base model: adds fidelity metrics (KL, top-1 agreement, flips, Δll)")
    Path base;

    @Option(names = "--base-tokenizer", description = "tokenizer of the base model (default: --tokenizer)")
    Path baseTokenizer;

    @Option(names = "--tasks", required = true, split = ",", completionCandidates = TaskNames.class,
            description = "comma-separated: ${COMPLETION-CANDIDATES} (text_ppl needs --text-file; `workbench tasks` describes them)")
    List<String> tasks;

    @Option(names = "--data", description = "data folder laid out like shared/datasets or the repo's datasets/ (default: ${DEFAULT-VALUE})",
            defaultValue = "")
    String data;

    @Option(names = "--limit", defaultValue = "0", description = "evaluate a seeded random subset of N items per task (0 = all)")
    int limit;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of the --limit subset and of the cloze construction")
    long seed;

    @Option(names = "--bos", defaultValue = "auto", description = "auto (lm-eval <= 0.4.9.1: none; papers' ppl: tokenizer default), on (tokenizer default), off")
    String bos;

    @Option(names = "--max-length", defaultValue = "0", description = "max input tokens (0 = the model's context length)")
    int maxLength;

    @Option(names = "--batch-size", defaultValue = "1", description = "recorded for comparison with lm-eval; scoring is per item with shared contexts")
    int batchSize;

    @Option(names = "--text-file", description = "text file for the text_ppl task (documents separated by blank lines)")
    Path textFile;

    @Option(names = "--out", required = true, description = "output folder for results.json, results.csv, results.md")
    Path out;

    @Option(names = "--db", description = "results database (default: $WORKBENCH_HOME/results.db or ~/.local/share/llm-compression-workbench/results.db)")
    Path db;

    @Option(names = "--no-store", description = "keep results for this run only (no results database, no resume)")
    boolean noStore;

    @Override
    public Integer call() {
        Path dataDir = data.isBlank() ? DataPaths.shared("datasets") : Path.of(data);
        EvalOptions options = new EvalOptions(BosMode.parse(bos), maxLength, limit, seed, batchSize);
        List<Task> taskList = new ArrayList<>();
        for (String t : tasks) taskList.addAll(TaskRegistry.parse(t, seed, textFile));
        System.err.println("loading " + model);
        Model loaded = ModelLoader.load(model, tokenizer);
        ScoringModel m = ScoringModels.of(loaded, ScoringModels.fingerprint(model, tokenizer));
        ScoringModel b = null;
        if (base != null) {
            System.err.println("loading base " + base);
            b = ScoringModels.load(base, baseTokenizer != null ? baseTokenizer : tokenizer);
        }
        ProgressListener progress = new ConsoleProgress();
        CancellationToken cancel = new CancellationToken();
        Runtime.getRuntime().addShutdownHook(new Thread(cancel::cancel));
        List<TaskMetrics> results = new ArrayList<>(), baseResults = new ArrayList<>();
        if (noStore) {
            Evaluator evaluator = new Evaluator(options, ItemStore.inMemory(), progress, cancel);
            for (Task t : taskList) {
                TaskResult r = evaluator.run(t, dataDir, m, b);
                System.err.println();
                results.add(r.metrics());
                if (r.baseMetrics() != null) baseResults.add(r.baseMetrics());
            }
        } else {
            try (ResultsStore store = db == null ? ResultsStore.openDefault() : ResultsStore.open(db)) {
                evaluateStored(store, taskList, dataDir, loaded, new TaskScoring(options, m, b, progress, cancel), results, baseResults);
            }
        }
        Map<String, Object> config = ResultsExport.config(
                "model", "workbench", "model_args", "path=" + model + (tokenizer != null ? ",tokenizer=" + tokenizer : ""),
                "model_label", m.label(), "model_sha256", m.fingerprint(),
                "base", base == null ? null : base.toString(), "data", dataDir.toString(),
                "batch_size", batchSize, "limit", limit == 0 ? null : limit, "seed", seed, "bos", options.bos().name().toLowerCase(),
                "max_length", maxLength == 0 ? null : maxLength, "num_fewshot", 0, "bootstrap_iters", 0,
                "workbench_version", BuildInfo.version(), "date", Instant.now().toString());
        ResultsExport.writeAll(out, m.label(), results, baseResults, config);
        System.out.print(ResultsExport.markdown(results));
        if (!baseResults.isEmpty()) {
            System.out.println("\nbase:");
            System.out.print(ResultsExport.markdown(baseResults));
        }
        System.out.println("\nwrote " + out.resolve("results.json") + ", results.csv, results.md");
        return 0;
    }

    /**
     * Runs each task through the results store: a finished run with the same cache key is reused, an
     * interrupted one resumes from its stored items, and every run is recorded for the GUI and reports.
     */
    private void evaluateStored(ResultsStore store, List<Task> taskList, Path dataDir, Model loaded, TaskScoring scoring,
                                List<TaskMetrics> results, List<TaskMetrics> baseResults) {
        EvalOptions options = scoring.options();
        ScoringModel m = scoring.model();
        String modelHash = ModelHashes.contentHash(model);
        // The compression as this store recorded it, else as the file itself says (a compressed file made
        // elsewhere is not an uncompressed model: it must not become the charts' reference line)
        var compression = store.compressionByFileHash(modelHash);
        String fileMethod = CompressedModels.method(loaded);
        String method = compression.map(CompressionRecord::method).orElse(fileMethod == null ? RunSpec.NO_METHOD : fileMethod);
        Map<String, String> params = compression.map(CompressionRecord::params).orElseGet(() -> CompressedModels.params(loaded));
        // where the run sits on the size axes: an uncompressed model's own bits/weight (32 for F32); a
        // compressed file unknown to the store has no bits over its compressed tensors on record
        Double bits = compression.map(CompressionRecord::bitsPerWeight).orElse(fileMethod == null ? loaded.bitsPerWeight() : null);
        Long bytes = compression.map(CompressionRecord::sizeBytes).orElse(loaded.weightBytes());
        Boolean bosFlag = switch (options.bos()) {
            case ON -> Boolean.TRUE;
            case OFF -> Boolean.FALSE;
            default -> null;
        };
        var opts = new RunSpec.Options(limit == 0 ? null : limit, seed, bosFlag, maxLength == 0 ? null : maxLength,
                null, null, Boolean.getBoolean("workbench.onTheFly") ? "on-the-fly" : "dense",
                tokenizer == null ? Map.of() : Map.of("tokenizer", m.fingerprint()));
        if (base != null) opts = opts.withFidelityBase(base.toString(), ModelHashes.contentHash(base));
        RunSpec spec = new RunSpec(model.toString(), familyLabel(loaded), modelHash, method, params,
                taskList.stream().map(Task::name).toList(), opts);
        for (Task t : taskList) {
            String dataHash = t.dataFingerprint(dataDir);
            TaskResult[] fresh = new TaskResult[1];
            var outcome = StoredRuns.execute(store, spec, t.name(), t.version(), dataHash, bits, bytes,
                    (key, items) -> {
                        fresh[0] = new Evaluator(options, items, scoring.progress(), scoring.cancel()).run(t, dataDir, m, scoring.base());
                        return new StoredRuns.Result(fresh[0].metrics(), fresh[0].runKey());
                    });
            System.err.println();
            if (outcome.reused()) System.err.println(t.name() + ": stored result of run " + outcome.run().id() + " reused");
            results.add(fresh[0] != null ? fresh[0].metrics() : outcome.run().toTaskMetrics());
            if (fresh[0] != null && fresh[0].baseMetrics() != null) baseResults.add(fresh[0].baseMetrics());
        }
    }

    /** How each task is scored: the model, the base model for fidelity (or null), options, progress and cancel. */
    private record TaskScoring(EvalOptions options, ScoringModel model, ScoringModel base, ProgressListener progress,
                               CancellationToken cancel) {}

    /** --label, else the name of the model a compressed file was made from, else the model's own. */
    private String familyLabel(Model loaded) {
        if (label != null && !label.isBlank()) return label.strip();
        String source = loaded.metadata().get(CompressedFormat.KEY_SOURCE);
        if (CompressedModels.method(loaded) != null && source != null && !source.isBlank()) {
            return Path.of(source).getFileName().toString();
        }
        return loaded.label();
    }

    /** One carriage-return status line per task on stderr. */
    static final class ConsoleProgress implements ProgressListener {
        private long last;

        @Override
        public synchronized void update(String stage, long done, long total, String message) {
            long now = System.nanoTime();
            if (done != total && now - last < 200_000_000L) return;
            last = now;
            System.err.printf("\r%-16s %6d/%-6d %s        ", stage, done, total, message);
        }
    }
}
