package dev.llmcw.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.llmcw.eval.tasks.LoglikelihoodTask;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import dev.llmcw.eval.tasks.PerplexityTask;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.eval.tasks.TextDoc;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a task on a model exactly as lm-evaluation-harness scores it: works out the effective max length,
 * BOS, the --limit / --sample subset and the run keys, hands the items to the one {@link ItemRunner} with the
 * task's {@link ItemScorer} (multiple-choice loglikelihood or perplexity windows), and turns the stored
 * per-item payloads into metrics (with fidelity metrics when a base model is given).
 */
public final class Evaluator {
    /** Detail key: items in the task's split before --limit / --sample (lm-eval's n-samples "original"). */
    public static final String ITEMS_IN_SPLIT = "items_in_split";

    private final EvalOptions options;
    private final ItemRunner runner;
    private final CancellationToken cancel;
    private final ItemRange range;

    public Evaluator(EvalOptions options, ItemStore store, ProgressListener progress, CancellationToken cancel) {
        this(options, store, progress, cancel, ItemRange.ALL);
    }

    /**
     * An evaluator that scores only the {@code range} of the selected items (one shard of a cluster run); its
     * metrics cover that range alone, its items land under the whole run's keys.
     */
    public Evaluator(
            EvalOptions options,
            ItemStore store,
            ProgressListener progress,
            CancellationToken cancel,
            ItemRange range) {
        this.options = options;
        this.range = range;
        this.cancel = cancel == null ? CancellationToken.none() : cancel;
        this.runner = new ItemRunner(
                store == null ? ItemStore.inMemory() : store,
                progress == null ? ProgressListener.NONE : progress,
                this.cancel);
    }

    EvalOptions options() {
        return options;
    }

    /** The items this run scores out of the task's {@code ids}: the --limit / --sample selection, then the range. */
    int[] select(List<String> ids) {
        return range.of(options.select(ids));
    }

    /** Loads the task's data from {@code dataDir} and runs it; {@code base} may be null (no fidelity). */
    public TaskResult run(Task task, Path dataDir, ScoringModel model, ScoringModel base) {
        cancel.throwIfCancelled();
        // a cancel while the data loads stops the run here, before tokenizing and scoring
        return switch (task) {
            case MultipleChoiceTask mc -> runMultipleChoice(mc, loaded(mc.load(dataDir)), model, base);
            case PerplexityTask pt -> runPerplexity(pt, loaded(pt.load(dataDir)), model, base);
            case LoglikelihoodTask lt ->
                new LoglikelihoodRun(this, runner).run(lt, loaded(lt.load(dataDir)), model, base);
        };
    }

    private <T> T loaded(T data) {
        cancel.throwIfCancelled();
        return data;
    }

    /**
     * Items the task will score on {@code model} with these options (after --limit / --sample), for a job's
     * progress over all its tasks; loads the task's data but scores nothing. The chunked perplexity protocol's
     * chunk count is estimated from the text's size (about 4 bytes a token) rather than tokenizing it twice.
     */
    public static long itemCount(Task task, Path dataDir, EvalOptions options, ScoringModel model) {
        int available = switch (task) {
            case MultipleChoiceTask mc -> mc.load(dataDir).size();
            case LoglikelihoodTask lt -> lt.load(dataDir).size();
            case PerplexityTask pt -> {
                List<TextDoc> docs = pt.load(dataDir);
                if (pt.protocol() != PerplexityTask.Protocol.CHUNKED) yield docs.size();
                long bytes = docs.stream().mapToLong(TextDoc::bytes).sum();
                yield (int) Math.max(1, bytes / 4 / Math.max(1, model.scorer().maxLength()));
            }
        };
        return options.selectedCount(available);
    }

    // ---------------------------------------------------------------- multiple choice

    /** Stored per item (and per base item); enough to recompute every metric. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record McPayload(double[] ll, boolean[] greedy, int[] tokens, float[][] kl, int[] top1) {}

    public TaskResult runMultipleChoice(
            MultipleChoiceTask task, List<McItem> allItems, ScoringModel model, ScoringModel base) {
        int maxLength = effectiveMaxLength(model, base);
        boolean bos = options.bos() == BosMode.ON && model.tokenizer().addsBosByDefault();
        String dataHash = McItem.fingerprint(allItems);
        String runKey = RunKey.of(
                model.fingerprint(), task, dataHash, options, maxLength, base == null ? null : base.fingerprint());
        String baseKey = base == null ? null : RunKey.of(base.fingerprint(), task, dataHash, options, maxLength, null);
        int[] chosen = select(allItems.stream().map(McItem::id).toList());
        List<McItem> items = Arrays.stream(chosen).mapToObj(allItems::get).toList();

        ItemRunner.Run<McPayload> run = runner.run(
                items,
                new MultipleChoiceScorer(model, base, bos, maxLength),
                new ItemRunner.Keys(task.name(), runKey, baseKey, model, base),
                itemParallel(model, base));

        Map<String, String> details = commonDetails(task, model, bos, maxLength, runKey, dataHash);
        details.put(ITEMS_IN_SPLIT, Integer.toString(allItems.size()));
        details.put("items_resumed", Integer.toString(run.resumed()));
        details.putAll(run.counters().details());
        details.putAll(run.throughput().details());
        Map<String, Double> metrics = mcMetrics(task, items, run.model());
        TaskMetrics baseMetrics = null;
        if (base != null) {
            Map<String, String> bd = commonDetails(task, base, bos, maxLength, baseKey, dataHash);
            baseMetrics =
                    new TaskMetrics(task.name(), task.version(), items.size(), mcMetrics(task, items, run.base()), bd);
            addMcFidelity(items, run.model(), run.base(), metrics, details);
        }
        List<ItemSample> samples = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++)
            samples.add(new ItemSample.MultipleChoice(
                    chosen[i], items.get(i), run.model().get(i), task.reportsAccNorm()));
        return new TaskResult(
                new TaskMetrics(task.name(), task.version(), items.size(), metrics, details),
                baseMetrics,
                runKey,
                baseKey,
                samples);
    }

    /** Items in the next item-parallel block (see {@link ItemRunner#nextBlock}). */
    static int nextBlock(int workers, int lastItems, long lastNanos) {
        return ItemRunner.nextBlock(workers, lastItems, lastNanos);
    }

    /** Whether items are scored in parallel (see {@link ItemRunner#ITEM_PARALLEL_MAX_WEIGHTS}). */
    static boolean itemParallel(ScoringModel model, ScoringModel base) {
        return ItemRunner.itemParallel(model, base);
    }

    private static Map<String, Double> mcMetrics(MultipleChoiceTask task, List<McItem> items, List<McPayload> results) {
        int n = items.size();
        double[] acc = new double[n], accNorm = new double[n];
        for (int i = 0; i < n; i++) {
            McItem item = items.get(i);
            double[] ll = results.get(i).ll();
            acc[i] = Stats.argmax(ll) == item.gold() ? 1 : 0;
            double[] norm = new double[ll.length];
            for (int c = 0; c < ll.length; c++) norm[c] = ll[c] / item.choiceLength(c);
            accNorm[i] = Stats.argmax(norm) == item.gold() ? 1 : 0;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("acc", Stats.mean(acc));
        m.put("acc_stderr", Stats.stderrOfMean(acc));
        if (task.reportsAccNorm()) {
            m.put("acc_norm", Stats.mean(accNorm));
            m.put("acc_norm_stderr", Stats.stderrOfMean(accNorm));
        }
        return m;
    }

    private static void addMcFidelity(
            List<McItem> items,
            List<McPayload> res,
            List<McPayload> base,
            Map<String, Double> m,
            Map<String, String> d) {
        FidelitySummary f = new FidelitySummary();
        for (int i = 0; i < items.size(); i++) {
            McPayload p = res.get(i), b = base.get(i);
            if (Stats.argmax(p.ll()) != Stats.argmax(b.ll()))
                f.flipped(items.get(i).id());
            for (int r = 0; r < p.ll().length; r++) {
                f.delta(p.ll()[r] - b.ll()[r]);
                f.tokens(p.kl()[r], p.top1()[r]);
            }
        }
        f.writeTo(
                m,
                d,
                "KL(base‖model) and top-1 agreement over every scored continuation token of every choice; delta_ll_mean over choices (model − base)");
    }

    // ---------------------------------------------------------------- perplexity

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PplPayload(double ll, long tokens, long words, long bytes, float[] kl, Integer top1) {}

    public TaskResult runPerplexity(PerplexityTask task, List<TextDoc> docs, ScoringModel model, ScoringModel base) {
        int maxLength = effectiveMaxLength(model, base);
        boolean chunked = task.protocol() == PerplexityTask.Protocol.CHUNKED;
        boolean bos = (options.bos() == BosMode.ON || (chunked && options.bos() == BosMode.AUTO))
                && model.tokenizer().addsBosByDefault()
                && model.tokenizer().bosId() >= 0;
        String dataHash = TextDoc.fingerprint(docs);
        String runKey = RunKey.of(
                model.fingerprint(), task, dataHash, options, maxLength, base == null ? null : base.fingerprint());
        String baseKey = base == null ? null : RunKey.of(base.fingerprint(), task, dataHash, options, maxLength, null);

        List<PerplexityScorer.PplItem> all = PerplexityScorer.items(task.name(), docs, chunked, model, bos, maxLength);
        cancel.throwIfCancelled(); // tokenizing a long text takes a while
        int[] chosen = select(all.stream().map(PerplexityScorer.PplItem::id).toList());
        List<PerplexityScorer.PplItem> items =
                Arrays.stream(chosen).mapToObj(all::get).toList();

        // one document at a time with parallel kernels: documents are long enough to fill the engine's threads
        ItemRunner.Run<PplPayload> run = runner.run(
                items,
                new PerplexityScorer(model, base, maxLength),
                new ItemRunner.Keys(task.name(), runKey, baseKey, model, base),
                false);
        List<PplPayload> results = run.model(), baseResults = run.base();

        Map<String, String> details = commonDetails(task, model, bos, maxLength, runKey, dataHash);
        details.put(ITEMS_IN_SPLIT, Integer.toString(all.size()));
        details.put("items_resumed", Integer.toString(run.resumed()));
        details.put(
                "rolling_prefix_token",
                chunked ? "-" : Integer.toString(LmEvalRequests.prefixToken(model.tokenizer())));
        details.putAll(run.counters().details());
        details.putAll(run.throughput().details());
        Map<String, Double> metrics = pplMetrics(chunked, results);
        TaskMetrics baseMetrics = null;
        if (base != null) {
            baseMetrics = new TaskMetrics(
                    task.name(),
                    task.version(),
                    items.size(),
                    pplMetrics(chunked, baseResults),
                    commonDetails(task, base, bos, maxLength, baseKey, dataHash));
            addPplFidelity(chunked, results, baseResults, metrics, details);
        }
        List<ItemSample> samples = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            PerplexityScorer.PplItem it = items.get(i);
            samples.add(new ItemSample.Perplexity(chosen[i], it.id(), it.doc(), results.get(i)));
        }
        return new TaskResult(
                new TaskMetrics(task.name(), task.version(), items.size(), metrics, details),
                baseMetrics,
                runKey,
                baseKey,
                samples);
    }

    private static void addPplFidelity(
            boolean chunked,
            List<PplPayload> results,
            List<PplPayload> baseResults,
            Map<String, Double> metrics,
            Map<String, String> details) {
        List<Double> kls = new ArrayList<>();
        long agree = 0, tokens = 0;
        double delta = 0;
        for (int i = 0; i < results.size(); i++) {
            PplPayload p = results.get(i);
            for (float k : p.kl()) kls.add((double) k);
            agree += p.top1();
            tokens += p.kl().length;
            delta += p.ll() - baseResults.get(i).ll();
        }
        double[] k = kls.stream().mapToDouble(Double::doubleValue).toArray();
        metrics.put("kl_mean", k.length == 0 ? Double.NaN : Stats.mean(k));
        metrics.put("kl_median", Stats.percentile(k, 50));
        metrics.put("kl_p99", Stats.percentile(k, 99));
        metrics.put("top1_agreement", tokens == 0 ? Double.NaN : (double) agree / tokens);
        metrics.put("delta_ll_mean", results.isEmpty() ? Double.NaN : delta / results.size());
        details.put(
                "fidelity_scope",
                "KL(base‖model) and top-1 agreement over every predicted token; delta_ll_mean per "
                        + (chunked ? "chunk" : "document"));
    }

    private static Map<String, Double> pplMetrics(boolean chunked, List<PplPayload> results) {
        double ll = 0;
        long tokens = 0, words = 0, bytes = 0;
        for (PplPayload p : results) {
            ll += p.ll();
            tokens += p.tokens();
            words += p.words();
            bytes += p.bytes();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (!chunked) {
            m.put("word_perplexity", Math.exp(-ll / words));
            m.put("byte_perplexity", Math.exp(-ll / bytes));
            m.put("bits_per_byte", -ll / bytes / Math.log(2));
        }
        m.put("perplexity", Math.exp(-ll / tokens));
        return m;
    }

    // ---------------------------------------------------------------- shared

    int effectiveMaxLength(ScoringModel model, ScoringModel base) {
        int l = model.scorer().maxLength();
        if (base != null) l = Math.min(l, base.scorer().maxLength());
        if (options.maxLength() > 0) l = Math.min(l, options.maxLength());
        return l;
    }

    Map<String, String> commonDetails(
            Task task, ScoringModel m, boolean bos, int maxLength, String runKey, String dataHash) {
        Map<String, String> d = new LinkedHashMap<>(task.details());
        d.put("model", m.label());
        d.put("bos", options.bos().name().toLowerCase() + (bos ? " (BOS prepended)" : " (no BOS)"));
        d.put("max_length", Integer.toString(maxLength));
        d.put("limit", Integer.toString(options.limit()));
        d.put("sample", Integer.toString(options.sample()));
        d.put("seed", Long.toString(options.seed()));
        d.put("batch_size", Integer.toString(options.batchSize()));
        d.put("run_key", runKey);
        d.put("data_sha256", dataHash);
        return d;
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
