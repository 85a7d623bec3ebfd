package dev.llmcw.cli;

import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.SyntheticModels;
import dev.llmcw.eval.EvalOptions;
import dev.llmcw.eval.Evaluator;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.ScoringModel;
import dev.llmcw.eval.ScoringModels;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.tensor.DType;
import dev.llmcw.tokenizer.TokenizerFiles;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "eval-bench",
        description = {
            "Evaluation throughput: items/s per task and the tokens saved by sharing each item's context across its choices.",
            "Default: stories260K on full PIQA and the first --hellaswag-limit HellaSwag items (seeded subset)."
        })
final class EvalBenchCommand implements Callable<Integer> {
    @Option(names = "--model", description = "model (default: shared stories260K)")
    Path model;

    @Mixin
    TokenizerOption tokenizer = new TokenizerOption();

    @Mixin
    DataOption data = new DataOption();

    @Option(
            names = "--tasks",
            defaultValue = "piqa,hellaswag",
            description = "tasks to time (default: ${DEFAULT-VALUE})")
    String tasks;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "items per task (0 = all; a seeded random subset, like eval's --sample)")
    int limit;

    @Option(
            names = "--synthetic",
            description =
                    "also time a random-weight model of this shape (smollm2-135m, llama-3.2-1b), tokenised with tok512")
    String synthetic;

    @Option(
            names = "--synthetic-limit",
            defaultValue = "50",
            description = "items per task for the synthetic model (default: ${DEFAULT-VALUE})")
    int syntheticLimit;

    @Option(
            names = "--runs",
            defaultValue = "1",
            description = {
                "times each task runs in this JVM (default: ${DEFAULT-VALUE}); the first task timed includes the JIT",
                "compiling the kernels (several CPU-seconds on 2 cores), later ones show the steady speed a GUI session gets"
            })
    int runs;

    @Override
    public Integer call() {
        Path m = model != null ? model : DataPaths.shared("models/stories260K/stories260K.bin");
        Path dataDir = data.dirOr(DataPaths.shared("datasets"));
        ScoringModel sm = ScoringModels.load(m, tokenizer.path());
        System.out.printf("%d engine threads, JDK %s%n", Parallel.threads(), Runtime.version());
        System.out.println(
                "| model | task | run | items | seconds | CPU seconds | items/s | tokens run | tokens without sharing | sharing saves | main metric |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int run = 1; run <= runs; run++) time(sm, dataDir, limit, run);
        if (synthetic != null) {
            // Random weights at a real model's shapes: speed only. tok512 ids fit any of these vocabularies.
            var tok = TokenizerFiles.llama2c(DataPaths.shared("models/stories260K/tok512.bin"), 512);
            var model = SyntheticModels.build(synthetic, DType.F32, 1);
            time(
                    new ScoringModel(
                            "SYNTHETIC " + synthetic + " (tok512)",
                            "synthetic-" + synthetic,
                            new LlamaEngine(model, 2048),
                            tok),
                    dataDir,
                    syntheticLimit,
                    1);
        }
        return 0;
    }

    /** Tasks timed so far in this JVM: only the first pays for compiling the kernels. */
    private int measured;

    private void time(ScoringModel sm, Path dataDir, int limit, int run) {
        for (Task t : TaskRegistry.parse(tasks, 1234, null)) {
            // fresh store each time: a benchmark must not resume
            long cpu0 = ProcessStats.cpuNanos();
            // a seeded random subset (eval's --sample), as this benchmark has always timed
            TaskMetrics r = new Evaluator(EvalOptions.defaults().withSample(limit), ItemStore.inMemory(), null, null)
                    .run(t, dataDir, sm, null)
                    .metrics();
            double cpu = (ProcessStats.cpuNanos() - cpu0) / 1e9;
            var d = r.details();
            String key = r.metrics().containsKey("acc")
                    ? "acc"
                    : r.metrics().containsKey("word_perplexity") ? "word_perplexity" : "perplexity";
            Double acc = r.metrics().get(key);
            String label = measured++ == 0 ? run + " (first in this JVM: JIT)" : String.valueOf(run);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %d | %s | %.1f | %s | %s | %s | %s× | %s |%n",
                    sm.label(),
                    r.task(),
                    label,
                    r.items(),
                    d.get("seconds"),
                    cpu,
                    d.get("items_per_s"),
                    d.get("tokens_run"),
                    d.get("tokens_run_without_context_sharing"),
                    d.getOrDefault("context_sharing_saving", "-"),
                    acc == null ? "-" : String.format(Locale.ROOT, "%s %.4f", key, acc));
        }
    }
}
