package dev.llmcw.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.llmcw.util.Parallel;
import dev.llmcw.engine.Scorer;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import dev.llmcw.eval.tasks.PerplexityTask;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a task on a model exactly as lm-evaluation-harness scores it: the choices of an item that share
 * a context go to the {@link Scorer} in one call (the context is computed once), finished items are
 * saved to the {@link ItemStore} (in blocks, one transaction each, when a small model scores items in
 * parallel; see {@link #ITEM_PARALLEL_MAX_WEIGHTS}), items already stored under the run key are skipped
 * (resume), progress is reported per item in item order and cancellation is honoured between items.
 *
 * <p>With a base model, both models score each item in the same pass with full next-token
 * distributions, which are reduced at once to per-token KL(base ‖ model) and top-1 agreement, so no
 * distribution is ever stored; the base's own item results go to the store under the base's run key
 * and are reused by later runs against the same base.
 */
public final class Evaluator {
    /** Floats of next-token distributions requested from one scorer call when fidelity is on. */
    private static final long DISTRIBUTION_BUDGET = 32L << 20;

    private final EvalOptions options;
    private final ItemStore store;
    private final ProgressListener progress;
    private final CancellationToken cancel;

    public Evaluator(EvalOptions options, ItemStore store, ProgressListener progress, CancellationToken cancel) {
        this.options = options;
        this.store = store == null ? ItemStore.inMemory() : store;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.cancel = cancel == null ? CancellationToken.none() : cancel;
    }

    /** Loads the task's data from {@code dataDir} and runs it; {@code base} may be null (no fidelity). */
    public TaskResult run(Task task, Path dataDir, ScoringModel model, ScoringModel base) {
        return switch (task) {
            case MultipleChoiceTask mc -> runMultipleChoice(mc, mc.load(dataDir), model, base);
            case PerplexityTask pt -> runPerplexity(pt, pt.load(dataDir), model, base);
        };
    }

    // ---------------------------------------------------------------- multiple choice

    /** Stored per item (and per base item); enough to recompute every metric. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record McPayload(double[] ll, boolean[] greedy, int[] tokens, float[][] kl, int[] top1) {}

    private record Scored(double[] ll, boolean[] greedy, int[][] contTokens, float[][][] dist) {}

    public TaskResult runMultipleChoice(MultipleChoiceTask task, List<McItem> allItems, ScoringModel model, ScoringModel base) {
        int maxLength = effectiveMaxLength(model, base);
        boolean bos = options.bos() == BosMode.ON && model.tokenizer().addsBosByDefault();
        String dataHash = dataFingerprint(allItems);
        String runKey = RunKey.of(model.fingerprint(), task, dataHash, options, maxLength, base == null ? null : base.fingerprint());
        String baseKey = base == null ? null : RunKey.of(base.fingerprint(), task, dataHash, options, maxLength, null);
        int[] chosen = ItemSubset.select(allItems.stream().map(McItem::id).toList(), options.limit(), options.seed());
        List<McItem> items = Arrays.stream(chosen).mapToObj(allItems::get).toList();

        Map<String, ItemStore.StoredItem> done = store.load(runKey);
        Map<String, ItemStore.StoredItem> baseDone = base == null ? Map.of() : store.load(baseKey);
        LmEvalRequests enc = new LmEvalRequests(model.tokenizer(), bos);
        LmEvalRequests baseEnc = base == null ? null : new LmEvalRequests(base.tokenizer(), bos);
        Counters counters = new Counters();
        Throughput tp = new Throughput(task.name(), items.size());

        List<McPayload> results = new ArrayList<>(items.size());
        List<McPayload> baseResults = new ArrayList<>(items.size());
        int resumed = 0;
        boolean itemParallel = itemParallel(model, base);
        int workers = itemParallel ? Parallel.threads() : 1;
        // Item-parallel: blocks of items (about BLOCK_NANOS of work) are scored by all engine threads at once
        // and then saved in one transaction; progress and results stay in item order. Otherwise one item at
        // a time with parallel kernels, saved as it completes.
        int block = itemParallel ? workers * 2 : 1;
        for (int from = 0, to; from < items.size(); from = to) {
            cancel.throwIfCancelled();
            long blockStart = System.nanoTime();
            to = Math.min(items.size(), from + block);
            int base0 = from, end = to;
            McOutcome[] outs = new McOutcome[to - from];
            if (itemParallel) {
                AtomicInteger next = new AtomicInteger(from);
                // one task per thread taking the next item as it finishes one, so uneven items balance out;
                // the engine's kernels run single-threaded inside (Parallel.forRange runs nested calls inline)
                Parallel.forRange(0, Math.min(workers, to - from), 1, w -> {
                    for (int i = next.getAndIncrement(); i < end && !cancel.isCancelled(); i = next.getAndIncrement()) {
                        outs[i - base0] = processItem(items.get(i), done, baseDone, model, base, enc, baseEnc, maxLength);
                    }
                });
            } else {
                outs[0] = processItem(items.get(from), done, baseDone, model, base, enc, baseEnc, maxLength);
            }
            // everything finished is saved before a cancellation is acted on, so a resumed run skips it
            List<ItemStore.StoredItem> saveModel = new ArrayList<>(), saveBase = new ArrayList<>();
            boolean complete = true;
            for (int i = from; i < to; i++) {
                McOutcome o = outs[i - from];
                if (o == null) {
                    complete = false;
                    continue;
                }
                if (o.saveBase) saveBase.add(stored(items.get(i), o.base));
                if (o.saveModel) saveModel.add(stored(items.get(i), o.model));
            }
            if (!saveBase.isEmpty()) store.saveAll(baseKey, saveBase);
            if (!saveModel.isEmpty()) store.saveAll(runKey, saveModel);
            if (!complete) throw new CancellationToken.CancelledException();
            for (int i = from; i < to; i++) {
                McOutcome o = outs[i - from];
                counters.add(o.counters);
                if (o.resumed) {
                    resumed++;
                    tp.skipped();
                } else {
                    tp.scored();
                }
                results.add(o.model);
                if (o.base != null) baseResults.add(o.base);
                tp.report(progress);
                if (i + 1 < to) cancel.throwIfCancelled();
            }
            if (itemParallel) block = nextBlock(workers, to - from, System.nanoTime() - blockStart);
        }

        Map<String, String> details = commonDetails(task, model, bos, maxLength, runKey, dataHash);
        details.put("items_resumed", Integer.toString(resumed));
        details.putAll(counters.details());
        details.putAll(tp.details());
        Map<String, Double> metrics = mcMetrics(task, items, results);
        TaskMetrics baseMetrics = null;
        if (base != null) {
            Map<String, String> bd = commonDetails(task, base, bos, maxLength, baseKey, dataHash);
            baseMetrics = new TaskMetrics(task.name(), task.version(), items.size(), mcMetrics(task, items, baseResults), bd);
            addMcFidelity(items, results, baseResults, metrics, details);
        }
        return new TaskResult(new TaskMetrics(task.name(), task.version(), items.size(), metrics, details), baseMetrics, runKey, baseKey);
    }

    /**
     * Wall time one block of item-parallel scoring aims at (one store transaction, one progress report per
     * block). Every block ends with the threads waiting for the slowest item and then for the save; blocks of
     * 8 items per thread cost stories260K's full PIQA ~6 % of its wall time that way, blocks of ~0.5 s less
     * than 1 %. A cancelled block stops taking items and saves the finished ones, so only a killed process
     * loses up to one block.
     */
    static final long BLOCK_NANOS = 500_000_000L;

    /** Most items per engine thread in one block, whatever the timing says. */
    private static final int MAX_ITEMS_PER_THREAD = 256;

    /** Items in the next item-parallel block: about {@link #BLOCK_NANOS} at the last block's pace. */
    static int nextBlock(int workers, int lastItems, long lastNanos) {
        double perItem = Math.max(1, lastNanos) / (double) Math.max(1, lastItems);
        return (int) Math.max(workers, Math.min((double) workers * MAX_ITEMS_PER_THREAD, BLOCK_NANOS / perItem));
    }

    /**
     * Models with at most this many weights per token score items in parallel (one item per engine
     * thread, kernels single-threaded); larger ones score one item at a time with parallel kernels.
     * For a small model each matrix product of an item is tens of microseconds of work, the order of
     * a fork–join of the engine's threads, so splitting the products costs about as much as it gains
     * (stories260K: 0.26M weights); items are independent and need no synchronisation at all. For a
     * large model each product is milliseconds, splitting it is nearly free, and one item at a time
     * keeps one set of activations and logits in memory and reports progress per item.
     */
    static final long ITEM_PARALLEL_MAX_WEIGHTS = 16_000_000L;

    /** The rule above; an unknown size (0) counts as small. */
    static boolean itemParallel(ScoringModel model, ScoringModel base) {
        if (Parallel.threads() <= 1) return false;
        long w = Math.max(model.scorer().weightsPerToken(), base == null ? 0 : base.scorer().weightsPerToken());
        return w <= ITEM_PARALLEL_MAX_WEIGHTS;
    }

    private record McOutcome(McPayload model, McPayload base, boolean saveModel, boolean saveBase, boolean resumed, Counters counters) {}

    /** Scores one item (or takes it from the stores); thread-safe, touches no shared state. */
    private McOutcome processItem(McItem item, Map<String, ItemStore.StoredItem> done, Map<String, ItemStore.StoredItem> baseDone,
                                  ScoringModel model, ScoringModel base, LmEvalRequests enc, LmEvalRequests baseEnc, int maxLength) {
        ItemStore.StoredItem sc = done.get(item.id());
        ItemStore.StoredItem sb = baseDone.get(item.id());
        Counters counters = new Counters();
        if (sc != null && (base == null || sb != null)) {
            return new McOutcome(Json.read(sc.payloadJson(), McPayload.class), sb == null ? null : Json.read(sb.payloadJson(), McPayload.class),
                    false, false, true, counters);
        }
        if (base == null) {
            Scored s = scoreItem(item, model, enc, maxLength, false, counters);
            return new McOutcome(new McPayload(s.ll, s.greedy, lengths(s.contTokens), null, null), null, true, false, false, counters);
        }
        if (sc != null) {
            Scored b = scoreItem(item, base, baseEnc, maxLength, false, new Counters());
            return new McOutcome(Json.read(sc.payloadJson(), McPayload.class), new McPayload(b.ll, b.greedy, lengths(b.contTokens), null, null),
                    false, true, false, counters);
        }
        // Fidelity: both models score the item with full distributions, reduced here to per-token KL and top-1.
        Scored s = scoreItem(item, model, enc, maxLength, true, counters);
        Scored b = scoreItem(item, base, baseEnc, maxLength, true, new Counters());
        float[][] kl = new float[s.ll.length][];
        int[] top1 = new int[s.ll.length];
        for (int r = 0; r < s.ll.length; r++) {
            if (!Arrays.equals(s.contTokens[r], b.contTokens[r])) {
                throw new IllegalStateException("item " + item.id() + ": base and evaluated model tokenise differently; fidelity needs one tokenizer");
            }
            kl[r] = new float[s.dist[r].length];
            for (int t = 0; t < s.dist[r].length; t++) {
                kl[r][t] = (float) Fidelity.kl(b.dist[r][t], s.dist[r][t]);
                if (Fidelity.argmax(b.dist[r][t]) == Fidelity.argmax(s.dist[r][t])) top1[r]++;
            }
        }
        McPayload pb = sb != null ? Json.read(sb.payloadJson(), McPayload.class) : new McPayload(b.ll, b.greedy, lengths(b.contTokens), null, null);
        return new McOutcome(new McPayload(s.ll, s.greedy, lengths(s.contTokens), kl, top1), pb, true, sb == null, false, counters);
    }

    private Scored scoreItem(McItem item, ScoringModel m, LmEvalRequests enc, int maxLength, boolean wantDist, Counters counters) {
        int n = item.choiceCount();
        int[][] ctx = new int[n][];
        int[][] cont = new int[n][];
        for (int r = 0; r < n; r++) {
            McItem.Request req = item.requests().get(r);
            LmEvalRequests.Encoded e = enc.encode(req.context(), req.continuation());
            if (e.context().length == 0 || e.continuation().length == 0) {
                throw new IllegalStateException("item " + item.id() + " choice " + r + ": empty " + (e.context().length == 0 ? "context" : "continuation") + " after tokenisation");
            }
            cont[r] = e.continuation();
            ctx[r] = cont[r].length > maxLength ? e.context() : LmEvalRequests.truncateContext(e.context(), cont[r].length, maxLength);
        }
        double[] ll = new double[n];
        boolean[] greedy = new boolean[n];
        float[][][] dist = wantDist ? new float[n][][] : null;
        // Choices with the same (truncated) context share one scorer call: the context is run once.
        Map<IntArray, List<Integer>> groups = new LinkedHashMap<>();
        for (int r = 0; r < n; r++) {
            if (cont[r].length > maxLength) {
                scoreOverlong(m, ctx[r], cont[r], maxLength, wantDist, counters, r, ll, greedy, dist);
            } else {
                groups.computeIfAbsent(new IntArray(ctx[r]), k -> new ArrayList<>()).add(r);
            }
        }
        for (var g : groups.entrySet()) {
            List<Integer> members = g.getValue();
            int[][] conts = new int[members.size()][];
            for (int k = 0; k < conts.length; k++) conts[k] = cont[members.get(k)];
            Scorer.ContinuationScore[] scores = m.scorer().score(g.getKey().a(), conts, wantDist);
            counters.calls++;
            counters.shared += g.getKey().a().length;
            for (int k = 0; k < conts.length; k++) {
                int r = members.get(k);
                ll[r] = scores[k].sum();
                greedy[r] = scores[k].greedy();
                if (wantDist) dist[r] = scores[k].distributions();
                counters.shared += conts[k].length;
                counters.unshared += ctx[r].length + conts[k].length;
            }
        }
        return new Scored(ll, greedy, cont, dist);
    }

    /**
     * DEVIATION: lm-eval asserts len(continuation) <= max_length and stops the run. A continuation longer
     * than the max length (2 PIQA items with 512-token models) is scored here in pieces of at most
     * maxLength / 2 tokens, each after the tokens before it (left-truncated as usual), and the pieces'
     * log-likelihoods summed; tools/reference/lmeval_ref.py does the same.
     */
    private static void scoreOverlong(ScoringModel m, int[] ctx, int[] cont, int maxLength, boolean wantDist, Counters counters,
                                      int r, double[] ll, boolean[] greedy, float[][][] dist) {
        int piece = Math.max(1, maxLength / 2);
        double sum = 0;
        boolean g = true;
        List<float[]> rows = new ArrayList<>();
        for (int from = 0; from < cont.length; from += piece) {
            int[] pc = Arrays.copyOfRange(cont, from, Math.min(cont.length, from + piece));
            int[] c = LmEvalRequests.truncateContext(concat(ctx, Arrays.copyOfRange(cont, 0, from)), pc.length, maxLength);
            Scorer.ContinuationScore s = m.scorer().score(c, new int[][]{pc}, wantDist)[0];
            counters.calls++;
            counters.shared += c.length + pc.length;
            counters.unshared += c.length + pc.length;
            sum += s.sum();
            g &= s.greedy();
            if (wantDist) rows.addAll(Arrays.asList(s.distributions()));
        }
        ll[r] = sum;
        greedy[r] = g;
        if (wantDist) dist[r] = rows.toArray(new float[0][]);
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

    private static void addMcFidelity(List<McItem> items, List<McPayload> res, List<McPayload> base, Map<String, Double> m, Map<String, String> d) {
        List<Double> kls = new ArrayList<>();
        long agree = 0, tokens = 0;
        double deltaSum = 0;
        long requests = 0;
        List<String> flipped = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            McPayload p = res.get(i), b = base.get(i);
            if (Stats.argmax(p.ll()) != Stats.argmax(b.ll())) flipped.add(items.get(i).id());
            for (int r = 0; r < p.ll().length; r++) {
                deltaSum += p.ll()[r] - b.ll()[r];
                requests++;
                for (float k : p.kl()[r]) kls.add((double) k);
                agree += p.top1()[r];
                tokens += p.kl()[r].length;
            }
        }
        double[] k = kls.stream().mapToDouble(Double::doubleValue).toArray();
        m.put("kl_mean", k.length == 0 ? Double.NaN : Stats.mean(k));
        m.put("kl_median", Stats.percentile(k, 50));
        m.put("kl_p99", Stats.percentile(k, 99));
        m.put("top1_agreement", tokens == 0 ? Double.NaN : (double) agree / tokens);
        m.put("flips", (double) flipped.size());
        m.put("delta_ll_mean", requests == 0 ? Double.NaN : deltaSum / requests);
        d.put("fidelity_tokens", Long.toString(tokens));
        d.put("fidelity_scope", "KL(base‖model) and top-1 agreement over every scored continuation token of every choice; delta_ll_mean over choices (model − base)");
        d.put("flipped_ids", String.join(",", flipped));
    }

    // ---------------------------------------------------------------- perplexity

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PplPayload(double ll, long tokens, long words, long bytes, float[] kl, Integer top1) {}

    private record PplItem(String id, TextDoc doc, int[] chunk) {}

    private record Scored2(PplPayload payload, double baseLl) {}

    public TaskResult runPerplexity(PerplexityTask task, List<TextDoc> docs, ScoringModel model, ScoringModel base) {
        int maxLength = effectiveMaxLength(model, base);
        boolean chunked = task.protocol() == PerplexityTask.Protocol.CHUNKED;
        boolean bos = (options.bos() == BosMode.ON || (chunked && options.bos() == BosMode.AUTO)) && model.tokenizer().addsBosByDefault()
                && model.tokenizer().bosId() >= 0;
        String dataHash = docsFingerprint(docs);
        String runKey = RunKey.of(model.fingerprint(), task, dataHash, options, maxLength, base == null ? null : base.fingerprint());
        String baseKey = base == null ? null : RunKey.of(base.fingerprint(), task, dataHash, options, maxLength, null);

        List<PplItem> all = new ArrayList<>();
        if (chunked) {
            if (docs.size() != 1) throw new IllegalArgumentException(task.name() + ": the chunked protocol scores one joined text");
            int[] toks = model.tokenizer().encode(docs.getFirst().text());
            if (bos) toks = LmEvalRequests.prepend(model.tokenizer().bosId(), toks);
            int chunks = toks.length / maxLength;
            for (int c = 0; c < chunks; c++) all.add(new PplItem("chunk" + c, null, Arrays.copyOfRange(toks, c * maxLength, (c + 1) * maxLength)));
        } else {
            for (TextDoc d : docs) all.add(new PplItem(d.id(), d, null));
        }
        int[] chosen = ItemSubset.select(all.stream().map(PplItem::id).toList(), options.limit(), options.seed());
        List<PplItem> items = Arrays.stream(chosen).mapToObj(all::get).toList();

        Map<String, ItemStore.StoredItem> done = store.load(runKey);
        Map<String, ItemStore.StoredItem> baseDone = base == null ? Map.of() : store.load(baseKey);
        Throughput tp = new Throughput(task.name(), items.size());
        Counters counters = new Counters();
        List<PplPayload> results = new ArrayList<>(), baseResults = new ArrayList<>();
        int resumed = 0;
        for (PplItem item : items) {
            cancel.throwIfCancelled();
            ItemStore.StoredItem sc = done.get(item.id());
            ItemStore.StoredItem sb = baseDone.get(item.id());
            PplPayload p, pb = null;
            if (sc != null && (base == null || sb != null)) {
                p = Json.read(sc.payloadJson(), PplPayload.class);
                if (sb != null) pb = Json.read(sb.payloadJson(), PplPayload.class);
                resumed++;
                tp.skipped();
            } else {
                List<LmEvalRequests.Encoded> windows = windows(item, model, maxLength);
                Scored2 w = null;
                if (sc == null) {
                    w = scoreWindows(item, windows, model, base, counters);
                    p = w.payload();
                    store.save(runKey, new ItemStore.StoredItem(item.id(), -1, -1, Json.write(p)));
                } else {
                    p = Json.read(sc.payloadJson(), PplPayload.class);
                }
                if (base != null) {
                    if (sb != null) pb = Json.read(sb.payloadJson(), PplPayload.class);
                    else if (w != null) pb = new PplPayload(w.baseLl(), p.tokens(), p.words(), p.bytes(), null, null);
                    else pb = scoreWindows(item, windows, base, null, new Counters()).payload();
                    if (sb == null) store.save(baseKey, new ItemStore.StoredItem(item.id(), -1, -1, Json.write(pb)));
                }
                tp.scored();
            }
            results.add(p);
            if (pb != null) baseResults.add(pb);
            tp.report(progress);
        }

        Map<String, String> details = commonDetails(task, model, bos, maxLength, runKey, dataHash);
        details.put("items_resumed", Integer.toString(resumed));
        details.put("rolling_prefix_token", chunked ? "-" : Integer.toString(LmEvalRequests.prefixToken(model.tokenizer())));
        details.putAll(counters.details());
        details.putAll(tp.details());
        Map<String, Double> metrics = pplMetrics(chunked, results);
        TaskMetrics baseMetrics = null;
        if (base != null) {
            baseMetrics = new TaskMetrics(task.name(), task.version(), items.size(), pplMetrics(chunked, baseResults),
                    commonDetails(task, base, bos, maxLength, baseKey, dataHash));
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
            details.put("fidelity_scope", "KL(base‖model) and top-1 agreement over every predicted token; delta_ll_mean per " + (chunked ? "chunk" : "document"));
        }
        return new TaskResult(new TaskMetrics(task.name(), task.version(), items.size(), metrics, details), baseMetrics, runKey, baseKey);
    }

    private static List<LmEvalRequests.Encoded> windows(PplItem item, ScoringModel m, int maxLength) {
        if (item.chunk() != null) {
            int[] c = item.chunk();
            return List.of(new LmEvalRequests.Encoded(new int[]{c[0]}, Arrays.copyOfRange(c, 1, c.length)));
        }
        // lm-eval ≤ 0.4.9.1 tokenises rolling documents with add_special_tokens=False; the prefix token
        // (BOS, else EOS) starts the first window whatever the BOS switch says.
        int[] toks = m.tokenizer().encode(item.doc().text());
        return LmEvalRequests.rollingWindows(toks, LmEvalRequests.prefixToken(m.tokenizer()), maxLength);
    }

    /**
     * Sums the windows' log-likelihoods. With a base model, both models also produce distributions,
     * requested in pieces of at most {@link #DISTRIBUTION_BUDGET} floats: a piece re-runs its prefix as
     * context, which for a causal model yields the same log-probs as one call.
     */
    private Scored2 scoreWindows(PplItem item, List<LmEvalRequests.Encoded> windows, ScoringModel m, ScoringModel base, Counters counters) {
        double ll = 0, baseLl = 0;
        long tokens = 0;
        int top1 = 0;
        List<float[]> kls = new ArrayList<>();
        for (LmEvalRequests.Encoded w : windows) {
            if (base == null) {
                Scorer.ContinuationScore s = m.scorer().score(w.context(), new int[][]{w.continuation()}, false)[0];
                counters.calls++;
                counters.shared += w.context().length + w.continuation().length;
                counters.unshared += w.context().length + w.continuation().length;
                ll += s.sum();
            } else {
                int piece = (int) Math.max(1, DISTRIBUTION_BUDGET / Math.max(m.scorer().vocabSize(), base.scorer().vocabSize()));
                int[] cont = w.continuation();
                for (int from = 0; from < cont.length; from += piece) {
                    int to = Math.min(cont.length, from + piece);
                    int[] ctx = concat(w.context(), Arrays.copyOfRange(cont, 0, from));
                    int[][] pc = {Arrays.copyOfRange(cont, from, to)};
                    Scorer.ContinuationScore s = m.scorer().score(ctx, pc, true)[0];
                    Scorer.ContinuationScore b = base.scorer().score(ctx, pc, true)[0];
                    counters.calls++;
                    counters.shared += ctx.length + pc[0].length;
                    counters.unshared += ctx.length + pc[0].length;
                    ll += s.sum();
                    baseLl += b.sum();
                    float[] kl = new float[pc[0].length];
                    for (int t = 0; t < kl.length; t++) {
                        kl[t] = (float) Fidelity.kl(b.distributions()[t], s.distributions()[t]);
                        if (Fidelity.argmax(b.distributions()[t]) == Fidelity.argmax(s.distributions()[t])) top1++;
                    }
                    kls.add(kl);
                }
            }
            tokens += w.continuation().length;
        }
        long words = item.doc() == null ? 0 : item.doc().words();
        long bytes = item.doc() == null ? 0 : item.doc().bytes();
        if (base == null) return new Scored2(new PplPayload(ll, tokens, words, bytes, null, null), Double.NaN);
        int total = kls.stream().mapToInt(a -> a.length).sum();
        float[] kl = new float[total];
        int at = 0;
        for (float[] a : kls) {
            System.arraycopy(a, 0, kl, at, a.length);
            at += a.length;
        }
        return new Scored2(new PplPayload(ll, tokens, words, bytes, kl, top1), baseLl);
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

    private int effectiveMaxLength(ScoringModel model, ScoringModel base) {
        int l = model.scorer().maxLength();
        if (base != null) l = Math.min(l, base.scorer().maxLength());
        if (options.maxLength() > 0) l = Math.min(l, options.maxLength());
        return l;
    }

    private Map<String, String> commonDetails(Task task, ScoringModel m, boolean bos, int maxLength, String runKey, String dataHash) {
        Map<String, String> d = new LinkedHashMap<>(task.details());
        d.put("model", m.label());
        d.put("bos", options.bos().name().toLowerCase() + (bos ? " (BOS prepended)" : " (no BOS)"));
        d.put("max_length", Integer.toString(maxLength));
        d.put("limit", Integer.toString(options.limit()));
        d.put("seed", Long.toString(options.seed()));
        d.put("batch_size", Integer.toString(options.batchSize()));
        d.put("run_key", runKey);
        d.put("data_sha256", dataHash);
        return d;
    }

    private static ItemStore.StoredItem stored(McItem item, McPayload p) {
        return new ItemStore.StoredItem(item.id(), item.gold(), Stats.argmax(p.ll()), Json.write(p));
    }

    private static int[] lengths(int[][] a) {
        int[] l = new int[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i].length;
        return l;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** SHA-256 of the items as scored (ids, contexts, continuations, gold). */
    public static String dataFingerprint(List<McItem> items) {
        MessageDigest md = Hashing.sha256();
        for (McItem it : items) {
            md.update(it.id().getBytes(StandardCharsets.UTF_8));
            for (McItem.Request r : it.requests()) {
                md.update((byte) 1);
                md.update(r.context().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 2);
                md.update(r.continuation().getBytes(StandardCharsets.UTF_8));
            }
            md.update((byte) 3);
            md.update(Integer.toString(it.gold()).getBytes(StandardCharsets.UTF_8));
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    public static String docsFingerprint(List<TextDoc> docs) {
        MessageDigest md = Hashing.sha256();
        for (TextDoc d : docs) {
            md.update(d.id().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(d.text().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private record IntArray(int[] a) {
        @Override public boolean equals(Object o) { return o instanceof IntArray(int[] b) && Arrays.equals(a, b); }
        @Override public int hashCode() { return Arrays.hashCode(a); }
    }

    /** Scorer calls and tokens run, with and without context sharing. */
    private static final class Counters {
        long calls, shared, unshared;

        void add(Counters o) {
            calls += o.calls;
            shared += o.shared;
            unshared += o.unshared;
        }

        Map<String, String> details() {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("scorer_calls", Long.toString(calls));
            d.put("tokens_run", Long.toString(shared));
            d.put("tokens_run_without_context_sharing", Long.toString(unshared));
            if (shared > 0) d.put("context_sharing_saving", String.format(java.util.Locale.ROOT, "%.3f", (double) unshared / shared));
            return d;
        }
    }

    /** Items/s and ETA over the items scored in this run (resumed items are instant and excluded). */
    private static final class Throughput {
        final String stage;
        final int total;
        final long start = System.nanoTime();
        int done, scored;

        Throughput(String stage, int total) {
            this.stage = stage;
            this.total = total;
        }

        void skipped() { done++; }

        void scored() {
            done++;
            scored++;
        }

        double rate() {
            double s = (System.nanoTime() - start) / 1e9;
            return s <= 0 ? 0 : scored / s;
        }

        void report(ProgressListener p) {
            double r = rate();
            String msg = scored == 0 ? "resumed from store"
                    : String.format(java.util.Locale.ROOT, "%.1f items/s, ETA %s", r, eta(r <= 0 ? -1 : (total - done) / r));
            p.update(stage, done, total, msg);
        }

        static String eta(double seconds) {
            if (seconds < 0) return "?";
            long s = Math.round(seconds);
            return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
        }

        Map<String, String> details() {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("items_scored", Integer.toString(scored));
            d.put("seconds", String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e9));
            d.put("items_per_s", String.format(java.util.Locale.ROOT, "%.2f", rate()));
            return d;
        }
    }
}
