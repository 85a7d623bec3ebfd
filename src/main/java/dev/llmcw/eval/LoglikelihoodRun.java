package dev.llmcw.eval;

import dev.llmcw.eval.LoglikelihoodScorer.Payload;
import dev.llmcw.eval.tasks.LoglikelihoodTask;
import dev.llmcw.eval.tasks.TargetItem;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an lm-eval output_type loglikelihood task (LAMBADA) the way the {@link Evaluator} runs the other
 * kinds: same max length, BOS rule, --limit subset, run keys, resume and fidelity, with the
 * {@link LoglikelihoodScorer}; metrics are lm-eval's perplexity = exp(−mean log-likelihood) and
 * acc = share of items whose target is the greedy continuation.
 */
public final class LoglikelihoodRun {
    private final Evaluator evaluator;
    private final ItemRunner runner;

    LoglikelihoodRun(Evaluator evaluator, ItemRunner runner) {
        this.evaluator = evaluator;
        this.runner = runner;
    }

    TaskResult run(LoglikelihoodTask task, List<TargetItem> allItems, ScoringModel model, ScoringModel base) {
        EvalOptions options = evaluator.options();
        int maxLength = evaluator.effectiveMaxLength(model, base);
        boolean bos = options.bos() == BosMode.ON && model.tokenizer().addsBosByDefault();
        String dataHash = TargetItem.fingerprint(allItems);
        String runKey = RunKey.of(
                model.fingerprint(), task, dataHash, options, maxLength, base == null ? null : base.fingerprint());
        String baseKey = base == null ? null : RunKey.of(base.fingerprint(), task, dataHash, options, maxLength, null);
        int[] chosen = evaluator.select(allItems.stream().map(TargetItem::id).toList());
        List<TargetItem> items = Arrays.stream(chosen).mapToObj(allItems::get).toList();

        ItemRunner.Run<Payload> run = runner.run(
                items,
                new LoglikelihoodScorer(model, base, bos, maxLength),
                new ItemRunner.Keys(task.name(), runKey, baseKey, model, base),
                ItemRunner.itemParallel(model, base));

        Map<String, String> details = evaluator.commonDetails(task, model, bos, maxLength, runKey, dataHash);
        details.put(Evaluator.ITEMS_IN_SPLIT, Integer.toString(allItems.size()));
        details.put("items_resumed", Integer.toString(run.resumed()));
        details.putAll(run.counters().details());
        details.putAll(run.throughput().details());
        Map<String, Double> metrics = metrics(run.model());
        TaskMetrics baseMetrics = null;
        if (base != null) {
            baseMetrics = new TaskMetrics(
                    task.name(),
                    task.version(),
                    items.size(),
                    metrics(run.base()),
                    evaluator.commonDetails(task, base, bos, maxLength, baseKey, dataHash));
            addFidelity(items, run.model(), run.base(), metrics, details);
        }
        return new TaskResult(
                new TaskMetrics(task.name(), task.version(), items.size(), metrics, details),
                baseMetrics,
                runKey,
                baseKey);
    }

    /** lm-eval's loglikelihood metrics: perplexity (aggregation exp(−mean ll)) and acc (mean is_greedy). */
    static Map<String, Double> metrics(List<Payload> results) {
        int n = results.size();
        double[] ll = new double[n], acc = new double[n];
        for (int i = 0; i < n; i++) {
            ll[i] = results.get(i).ll();
            acc[i] = results.get(i).greedy() ? 1 : 0;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("perplexity", Math.exp(-Stats.mean(ll)));
        m.put("acc", Stats.mean(acc));
        m.put("acc_stderr", Stats.stderrOfMean(acc));
        return m;
    }

    private static void addFidelity(
            List<TargetItem> items,
            List<Payload> res,
            List<Payload> base,
            Map<String, Double> m,
            Map<String, String> d) {
        FidelitySummary f = new FidelitySummary();
        for (int i = 0; i < items.size(); i++) {
            Payload p = res.get(i), b = base.get(i);
            if (p.greedy() != b.greedy()) f.flipped(items.get(i).id());
            f.delta(p.ll() - b.ll());
            f.tokens(p.kl(), p.top1());
        }
        f.writeTo(
                m,
                d,
                "KL(base‖model) and top-1 agreement over every target token; flips: items whose is_greedy changed; delta_ll_mean per item (model − base)");
    }
}
