package dev.llmcw.results;

import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.Json;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A store-backed evaluation with a fake deterministic scorer, run as a separate process by
 * {@link CrashResumeTest}: it scores items one by one, saving each through the results store, and
 * prints one line per event so the parent can kill it midway.
 * Usage: FakeEvalJob DB MODEL_FILE ITEMS DELAY_MS
 */
public final class FakeEvalJob {
    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Path model = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        long delay = Long.parseLong(args[3]);
        try (var store = ResultsStore.open(db)) {
            var out = run(store, model, n, delay, System.out);
            System.out.println("done run=" + out.run().id() + " reused=" + out.reused() + " acc="
                    + out.run().metric("acc").orElseThrow().value());
        }
    }

    public static StoredRuns.Outcome run(ResultsStore store, Path model, int n, long delayMs, PrintStream log) {
        RunSpec spec = new RunSpec(
                model.toString(),
                "fake",
                new ModelHashes(null).hash(model),
                "none",
                Map.of(),
                List.of("fake"),
                RunSpec.Options.defaults().withLimit(n));
        return StoredRuns.execute(
                store,
                spec,
                "fake",
                "1",
                null,
                32.0,
                1000L,
                (key, items) -> new StoredRuns.Result(evaluate(key, items, n, delayMs, log), key));
    }

    public static TaskMetrics evaluate(String key, ItemStore items, int n, long delayMs, PrintStream log)
            throws InterruptedException {
        Map<String, ItemStore.StoredItem> stored = items.load(key);
        log.println("resuming with " + stored.size());
        log.flush();
        int computed = 0;
        double[] correct = new double[n];
        for (int i = 0; i < n; i++) {
            String id = Integer.toString(i);
            ItemStore.StoredItem it = stored.get(id);
            if (it == null) {
                // Deterministic fake "log-likelihoods" of 4 choices.
                double[] ll = new double[4];
                for (int c = 0; c < 4; c++) ll[c] = -Math.abs(Math.sin(i * 7.31 + c * 1.7)) * 10;
                int chosen = 0;
                for (int c = 1; c < 4; c++) if (ll[c] > ll[chosen]) chosen = c;
                it = new ItemStore.StoredItem(id, (i * 5) % 4, chosen, Json.write(Map.of("ll", ll)));
                items.save(key, it);
                computed++;
                log.println("saved " + i);
                log.flush();
                if (delayMs > 0) Thread.sleep(delayMs);
            }
            correct[i] = it.gold() == it.chosen() ? 1 : 0;
        }
        double mean = 0;
        for (double c : correct) mean += c;
        mean /= n;
        double var = 0;
        for (double c : correct) var += (c - mean) * (c - mean);
        double stderr = Math.sqrt(var / (n - 1)) / Math.sqrt(n);
        log.println("computed " + computed);
        return new TaskMetrics(
                "fake",
                "1",
                n,
                Map.of("acc", mean, "acc_stderr", stderr),
                Map.of("computed", Integer.toString(computed)));
    }
}
