package dev.llmcw.results;

import dev.llmcw.eval.ItemStore.StoredItem;
import dev.llmcw.eval.TaskMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stores finished piqa runs with per-item records in a results store, for tests of comparisons, charts and
 * the Items view. Item i has gold answer 0; a run "chose" 0 where {@code correct[i]}, else 1.
 */
public final class StoredRunFixture {
    private StoredRunFixture() {}

    public static final String TASK = "piqa";

    /** The first {@code n} items (lm-eval --limit). */
    public static RunSpec.Options first(int n) {
        return RunSpec.Options.defaults().withLimit(n);
    }

    /** The full split. */
    public static RunSpec.Options full() {
        return RunSpec.Options.defaults();
    }

    /** An uncompressed run of "stories" (weights hash "base-hash"). */
    public static long base(ResultsStore store, RunSpec.Options options, boolean[] correct) {
        return store(
                store,
                new RunSpec(
                        "/m/stories.bin", "stories", "base-hash", RunSpec.NO_METHOD, Map.of(), List.of(TASK), options),
                32.0,
                correct);
    }

    /** A compressed run of "stories" with method parameters {@code params}. */
    public static long compressed(
            ResultsStore store,
            String method,
            Map<String, String> params,
            double bits,
            RunSpec.Options options,
            boolean[] correct) {
        String hash = method + params + bits;
        return store(
                store,
                new RunSpec("/m/" + hash + ".bin", "stories", hash, method, params, List.of(TASK), options),
                bits,
                correct);
    }

    private static long store(ResultsStore store, RunSpec spec, double bits, boolean[] correct) {
        long id = store.saveRun(spec, TASK, "1", bits, 1000L);
        String key = "items:" + id;
        var items = new ArrayList<StoredItem>();
        int right = 0;
        for (int i = 0; i < correct.length; i++) {
            items.add(new StoredItem(Integer.toString(i), 0, correct[i] ? 0 : 1, "{\"ll\":[-1.0,-2.0]}"));
            if (correct[i]) right++;
        }
        store.saveAll(key, items);
        store.setItemKey(id, key);
        double acc = (double) right / correct.length;
        store.saveMetrics(
                id,
                new TaskMetrics(
                        TASK,
                        "1",
                        correct.length,
                        Map.of("acc", acc, "acc_stderr", Math.sqrt(acc * (1 - acc) / Math.max(1, correct.length - 1))),
                        Map.of()));
        store.updateStatus(id, RunStatus.DONE, null);
        return id;
    }

    /** {@code n} answers, the first {@code right} correct. */
    public static boolean[] firstRight(int n, int right) {
        boolean[] b = new boolean[n];
        for (int i = 0; i < right; i++) b[i] = true;
        return b;
    }

    /** A copy of {@code answers} with the answers at {@code indices} turned around. */
    public static boolean[] flipped(boolean[] answers, int... indices) {
        boolean[] b = answers.clone();
        for (int i : indices) b[i] = !b[i];
        return b;
    }
}
