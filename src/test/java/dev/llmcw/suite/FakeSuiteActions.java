package dev.llmcw.suite;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic stand-in for compression and evaluation: a "compressed model" is a file whose bytes
 * derive from the source bytes and the setting; an evaluation scores ITEMS items with fake
 * log-likelihoods derived from the model file's bytes, one item at a time through the ItemStore.
 */
public final class FakeSuiteActions implements SuiteActions {
    static final int ITEMS = 8;
    public final List<String> compressions = new ArrayList<>();
    public final List<String> evaluations = new ArrayList<>();
    final AtomicInteger itemsScored = new AtomicInteger();
    /** Throw after this many newly scored items in the next evaluation (-1: never). */
    volatile int crashAfter = -1;

    volatile CancellationToken cancelAfterFirstItem;
    volatile String failCompression;

    @Override
    public String taskVersion(String task) {
        return "1";
    }

    @Override
    public String dataHash(String task) {
        return "data-" + task;
    }

    @Override
    public ModelSize size(Path model) {
        return new ModelSize(model.toFile().length(), 32.0);
    }

    @Override
    public CompressionReport compress(
            Path model,
            String method,
            Map<String, String> params,
            Path out,
            Path workDir,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception {
        if (method.equals(failCompression)) throw new IllegalStateException("simulated compression failure");
        compressions.add(method + params);
        progress.update("rtn", 1, 1, ""); // a compression's own stage, as the real methods report
        Files.writeString(out, Hashing.sha256(Files.readAllBytes(model)) + method + params);
        int bits = Integer.parseInt(params.getOrDefault("bits", "4"));
        long bytes = Files.size(out);
        var size = new SizeEstimate(100, bits + 0.25, 120, bytes, bits + 0.5, "fake");
        // like real methods, report the full parameter list including defaults the suite did not give
        Map<String, String> full = new TreeMap<>(params);
        full.put("rounding", "nearest");
        return new CompressionReport(
                out, method, full, size, List.of(new CompressionReport.TensorError("w", 0.01 * bits, Double.NaN)), 0.1);
    }

    @Override
    public StoredRuns.Result evaluate(
            Path model,
            String task,
            RunSpec.Options options,
            String runKey,
            ItemStore items,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception {
        evaluations.add(model.getFileName() + "/" + task);
        String weights = Hashing.sha256(Files.readAllBytes(model));
        Map<String, ItemStore.StoredItem> stored = items.load(runKey);
        int scoredNow = 0;
        double correct = 0;
        for (int i = 0; i < ITEMS; i++) {
            cancel.throwIfCancelled();
            progress.update(task, i + 1, ITEMS, ""); // the task's own items, as the item runner reports
            ItemStore.StoredItem it = stored.get("i" + i);
            if (it == null) {
                if (crashAfter >= 0 && scoredNow == crashAfter) {
                    crashAfter = -1;
                    throw new IllegalStateException("simulated crash");
                }
                int h = (weights + task + i).hashCode();
                int chosen = Math.floorMod(h, 2);
                it = new ItemStore.StoredItem("i" + i, i % 2, chosen, Json.write(Map.of("ll", new double[] {
                    -1, -1 - chosen
                })));
                items.save(runKey, it);
                scoredNow++;
                itemsScored.incrementAndGet();
                if (cancelAfterFirstItem != null) {
                    cancelAfterFirstItem.cancel();
                    cancelAfterFirstItem = null;
                }
            }
            if (it.chosen() == it.gold()) correct++;
        }
        double acc = correct / ITEMS;
        Map<String, Double> m =
                new HashMap<>(Map.of("acc", acc, "acc_stderr", Math.sqrt(acc * (1 - acc) / (ITEMS - 1))));
        if (options.fidelityBase() != null) m.put("kl_mean", 0.5);
        return new StoredRuns.Result(new TaskMetrics(task, "1", ITEMS, m, Map.of()), runKey);
    }
}
