package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.engine.Scorer;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import dev.llmcw.eval.tasks.PerplexityTask;
import dev.llmcw.eval.tasks.TextDoc;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    private static final int V = 97;

    /** A synthetic multiple-choice task over fixed items. */
    private record FixedTask(String name, List<McItem> items, boolean norm) implements MultipleChoiceTask {
        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public List<McItem> load(Path dataDir) {
            return items;
        }

        @Override
        public boolean reportsAccNorm() {
            return norm;
        }
    }

    private record FixedPpl(String name, List<TextDoc> docs, Protocol protocol) implements PerplexityTask {
        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public List<TextDoc> load(Path dataDir) {
            return docs;
        }
    }

    private static List<McItem> items(int n) {
        List<McItem> out = new ArrayList<>();
        String[] words = {"red", "blue", "green apple", "a very long yellow answer", "tiny", "cat", "the quick fox"};
        for (int i = 0; i < n; i++) {
            List<String> ch = List.of(words[i % 7], words[(i + 2) % 7], words[(i + 5) % 7] + " " + i);
            out.add(McItem.sharedContext("q" + i, "Question: item " + i + " which?\nAnswer:", ch, i % 3));
        }
        return out;
    }

    private static ScoringModel model(String name, FakeScorer s, FakeTokenizer t) {
        return new ScoringModel(name, "sha-" + name, s, t);
    }

    @Test
    void accuracyMatchesAHandComputationAndContextsAreShared() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        FakeScorer sc = new FakeScorer(V, 64, 0);
        List<McItem> items = items(40);
        TaskResult r = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runMultipleChoice(new FixedTask("t", items, true), items, model("m", sc, tok), null);
        // one scorer call per item: the three choices share their context
        assertThat(sc.contexts).hasSize(40);
        double acc = 0, accNorm = 0;
        List<Double> accs = new ArrayList<>();
        for (McItem it : items) {
            int[] ctx = tok.encode(it.requests().getFirst().context());
            double[] ll = new double[3], norm = new double[3];
            for (int c = 0; c < 3; c++) {
                ll[c] = sc.directLl(ctx, tok.encode(it.requests().get(c).continuation()));
                norm[c] = ll[c] / it.choiceTexts().get(c).length();
            }
            double a = Stats.argmax(ll) == it.gold() ? 1 : 0;
            acc += a;
            accs.add(a);
            accNorm += Stats.argmax(norm) == it.gold() ? 1 : 0;
        }
        var m = r.metrics().metrics();
        assertThat(m.get("acc")).isCloseTo(acc / 40, within(1e-12));
        assertThat(m.get("acc_norm")).isCloseTo(accNorm / 40, within(1e-12));
        double mean = acc / 40, ss = 0;
        for (double a : accs) ss += (a - mean) * (a - mean);
        assertThat(m.get("acc_stderr")).isCloseTo(Math.sqrt(ss / 39) / Math.sqrt(40), within(1e-12));
        assertThat(r.metrics().details()).containsEntry("bos", "auto (no BOS)").containsKey("context_sharing_saving");
        assertThat(Double.parseDouble(r.metrics().details().get("context_sharing_saving")))
                .isGreaterThan(1.5);
    }

    /** A scorer that claims a large model's size, so the evaluator scores one item at a time. */
    private record Large(Scorer s) implements Scorer {
        @Override
        public ContinuationScore[] score(int[] c, int[][] k, boolean d) {
            return s.score(c, k, d);
        }

        @Override
        public int maxLength() {
            return s.maxLength();
        }

        @Override
        public int vocabSize() {
            return s.vocabSize();
        }

        @Override
        public long weightsPerToken() {
            return 1_000_000_000L;
        }
    }

    /** A scorer that cancels the run as it scores its n-th item (a user pressing cancel mid-block). */
    private record CancelAt(Scorer s, int n, AtomicInteger count, CancellationToken cancel) implements Scorer {
        @Override
        public ContinuationScore[] score(int[] c, int[][] k, boolean d) {
            if (count.incrementAndGet() == n) cancel.cancel();
            return s.score(c, k, d);
        }

        @Override
        public int maxLength() {
            return s.maxLength();
        }

        @Override
        public int vocabSize() {
            return s.vocabSize();
        }
    }

    @Test
    void itemParallelBlocksAimAtHalfASecondWithinTheirBounds() {
        // 16 items in 100 ms: 6.25 ms each, so 80 fit in 0.5 s
        assertThat(Evaluator.nextBlock(2, 16, 100_000_000L)).isEqualTo(80);
        assertThat(Evaluator.nextBlock(2, 4, 10_000_000_000L))
                .as("slow items: one per thread")
                .isEqualTo(2);
        assertThat(Evaluator.nextBlock(2, 100, 1L)).as("instant items: the cap").isEqualTo(512);
        assertThat(Evaluator.nextBlock(3, 0, 0L)).isEqualTo(3 * 256);
    }

    @Test
    void smallModelsScoreItemsInParallelLargeOnesOneAtATimeWithTheSameResults() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        List<McItem> items = items(37);
        var task = new FixedTask("t", items, true);
        ScoringModel small = model("m", new FakeScorer(V, 64, 0), tok);
        ScoringModel large = new ScoringModel("m", "sha-m", new Large(new FakeScorer(V, 64, 0)), tok);
        assertThat(Evaluator.itemParallel(small, null)).isEqualTo(Parallel.threads() > 1);
        assertThat(Evaluator.itemParallel(large, null)).isFalse();
        assertThat(Evaluator.itemParallel(small, large)).isFalse();
        List<Long> done = new ArrayList<>();
        ItemStore a = ItemStore.inMemory(), b = ItemStore.inMemory();
        TaskResult ra = new Evaluator(EvalOptions.defaults(), a, (st, d, t, m) -> done.add(d), null)
                .runMultipleChoice(task, items, small, null);
        TaskResult rb =
                new Evaluator(EvalOptions.defaults(), b, null, null).runMultipleChoice(task, items, large, null);
        assertThat(ra.metrics().metrics()).isEqualTo(rb.metrics().metrics());
        assertThat(a.load(ra.runKey())).isEqualTo(b.load(rb.runKey())).hasSize(37);
        // progress is reported for every item, in order
        assertThat(done).hasSize(37);
        for (int i = 0; i < done.size(); i++) assertThat(done.get(i)).isEqualTo(i + 1L);
    }

    @Test
    void truncationGivesEachChoiceItsOwnContextWhenTheyDiffer() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        FakeScorer sc = new FakeScorer(V, 6, 0);
        List<McItem> one = List.of(McItem.sharedContext("x", "w1 w2 w3 w4 w5 w6 w7 w8", List.of("a", "b c d"), 0));
        TaskResult r = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runMultipleChoice(new FixedTask("t", one, true), one, model("m", sc, tok), null);
        assertThat(sc.contexts).hasSize(2);
        assertThat(sc.contexts.get(0)).hasSize(6); // 7 = L+1 tokens minus 1 continuation token
        assertThat(sc.contexts.get(1)).hasSize(4);
        assertThat(r.metrics().items()).isEqualTo(1);
        // --max-length below the model's also truncates
        FakeScorer big = new FakeScorer(V, 512, 0);
        new Evaluator(EvalOptions.defaults().withMaxLength(6), null, null, null)
                .runMultipleChoice(new FixedTask("t", one, true), one, model("m", big, tok), null);
        assertThat(big.contexts.get(0)).hasSize(6);
    }

    @Test
    void overlongContinuationsAreScoredInHalfLengthPieces() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        FakeScorer sc = new FakeScorer(V, 6, 0);
        List<McItem> one = List.of(McItem.sharedContext("x", "c1 c2", List.of("a b c d e f g h i", "z"), 0));
        ItemStore store = ItemStore.inMemory();
        TaskResult r = new Evaluator(EvalOptions.defaults(), store, null, null)
                .runMultipleChoice(new FixedTask("t", one, true), one, model("m", sc, tok), null);
        // 9 continuation tokens > L = 6: pieces of 3, each after everything before it (truncated to L+1)
        assertThat(sc.contexts).hasSize(4);
        int[] ctx = tok.encode("c1 c2"), cont = tok.encode(" a b c d e f g h i");
        double want = 0;
        for (int from = 0; from < 9; from += 3) {
            int[] before = LmEvalRequests.truncateContext(FakeScorer.concat(ctx, Arrays.copyOf(cont, from)), 3, 6);
            want += sc.directLl(before, Arrays.copyOfRange(cont, from, from + 3));
        }
        var payload = Json.read(store.load(r.runKey()).get("x").payloadJson(), Evaluator.McPayload.class);
        assertThat(payload.ll()[0]).isCloseTo(want, within(1e-9));
    }

    @Test
    void sampleIsASeededRandomSubsetInDatasetOrder() {
        List<String> ids = items(200).stream().map(McItem::id).toList();
        int[] a = ItemSubset.sample(ids, 20, 1), b = ItemSubset.sample(ids, 20, 1), c = ItemSubset.sample(ids, 20, 2);
        assertThat(a).hasSize(20).containsExactly(b).isSorted();
        assertThat(a).isNotEqualTo(c);
        assertThat(a[19]).isGreaterThan(19);
        assertThat(ItemSubset.sample(ids, 0, 1)).hasSize(200);
    }

    /** lm-eval's --limit N: the first N documents of the split; --sample N: a seeded random N; different runs. */
    @Test
    void limitEvaluatesTheFirstItemsAndSampleARandomSubset() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        List<McItem> items = items(200);
        var task = new FixedTask("t", items, true);
        ScoringModel m = model("m", new FakeScorer(V, 64, 0), tok);
        TaskResult first = new Evaluator(EvalOptions.defaults().withLimit(50), null, null, null)
                .runMultipleChoice(task, items, m, null);
        assertThat(first.metrics().items()).isEqualTo(50);
        assertThat(first.samples())
                .extracting(ItemSample::docId)
                .containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
        assertThat(first.samples())
                .extracting(s -> ((ItemSample.MultipleChoice) s).item().id())
                .containsExactlyElementsOf(
                        items.subList(0, 50).stream().map(McItem::id).toList());
        assertThat(first.metrics().details())
                .containsEntry("limit", "50")
                .containsEntry("sample", "0")
                .containsEntry(Evaluator.ITEMS_IN_SPLIT, "200");

        TaskResult sample = new Evaluator(EvalOptions.defaults().withSample(50).withSeed(1), null, null, null)
                .runMultipleChoice(task, items, m, null);
        List<Integer> docs = sample.samples().stream().map(ItemSample::docId).toList();
        assertThat(docs)
                .hasSize(50)
                .isSorted()
                .isEqualTo(Arrays.stream(
                                ItemSubset.sample(items.stream().map(McItem::id).toList(), 50, 1))
                        .boxed()
                        .toList());
        assertThat(docs.getLast()).isGreaterThan(49);
        assertThat(sample.runKey()).isNotEqualTo(first.runKey());
        TaskResult otherSeed = new Evaluator(
                        EvalOptions.defaults().withSample(50).withSeed(2), null, null, null)
                .runMultipleChoice(task, items, m, null);
        assertThat(otherSeed.samples().stream().map(ItemSample::docId).toList()).isNotEqualTo(docs);
    }

    @Test
    void aReadOnlyStoreGivesBackStoredItemsAndRefusesToScoreMissingOnes() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        List<McItem> items = items(10);
        var task = new FixedTask("t", items, true);
        ScoringModel m = model("m", new FakeScorer(V, 64, 0), tok);
        ItemStore store = ItemStore.inMemory();
        TaskResult scored = new Evaluator(EvalOptions.defaults().withLimit(5), store, null, null)
                .runMultipleChoice(task, items, m, null);
        TaskResult read = new Evaluator(EvalOptions.defaults().withLimit(5), ItemStore.readOnly(store), null, null)
                .runMultipleChoice(task, items, m, null);
        assertThat(read.metrics().metrics()).isEqualTo(scored.metrics().metrics());
        assertThat(read.samples()).hasSize(5);
        assertThatThrownBy(
                        () -> new Evaluator(EvalOptions.defaults().withLimit(6), ItemStore.readOnly(store), null, null)
                                .runMultipleChoice(task, items, m, null))
                .isInstanceOf(ItemStore.NotStoredException.class);
    }

    @Test
    void negativeOrNonNumericCountsAndBothSelectionsAreRefusedWithASentence() {
        assertThat(ItemSubset.parseCount("--limit", "50")).isEqualTo(50);
        assertThat(ItemSubset.parseCount("--limit", "")).isZero();
        assertThatThrownBy(() -> ItemSubset.parseCount("--limit", "-3"))
                .hasMessage("--limit must be 0 (all items) or a positive number of items, not -3");
        assertThatThrownBy(() -> ItemSubset.parseCount("--sample", "ten"))
                .hasMessage("--sample must be a whole number of items, not \"ten\"");
        assertThatThrownBy(() -> new EvalOptions(BosMode.AUTO, 0, 5, 5, 1, 1))
                .hasMessageContaining("cannot be combined");
    }

    @Test
    void cancelledRunResumesFromTheStoreWithIdenticalResults() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        List<McItem> items = items(30);
        var task = new FixedTask("t", items, true);
        ItemStore store = ItemStore.inMemory();
        CancellationToken cancel = new CancellationToken();
        List<String> messages = new ArrayList<>();
        ProgressListener progress = (s, d, t, msg) -> messages.add(msg);
        // the user cancels while the 12th item is being scored (mid-block: blocks of fast items are large)
        AtomicInteger scored = new AtomicInteger();
        FakeScorer first = new FakeScorer(V, 64, 0);
        assertThatThrownBy(() -> new Evaluator(EvalOptions.defaults(), store, progress, cancel)
                        .runMultipleChoice(
                                task,
                                items,
                                new ScoringModel("m", "sha-m", new CancelAt(first, 12, scored, cancel), tok),
                                null))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(messages.getFirst()).contains("items/s").contains("ETA");
        FakeScorer second = new FakeScorer(V, 64, 0);
        TaskResult resumed = new Evaluator(EvalOptions.defaults(), store, null, null)
                .runMultipleChoice(task, items, model("m", second, tok), null);
        // items finished before the cancellation was seen are all kept (the 12 scored, and any other in flight)
        int kept = Integer.parseInt(resumed.metrics().details().get("items_resumed"));
        assertThat(kept).isBetween(12, 29);
        assertThat(second.contexts).hasSize(30 - kept);
        TaskResult fresh = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runMultipleChoice(task, items, model("m", new FakeScorer(V, 64, 0), tok), null);
        assertThat(resumed.metrics().metrics()).isEqualTo(fresh.metrics().metrics());
        // a different option is a different run key: nothing is reused
        TaskResult other = new Evaluator(EvalOptions.defaults().withBos(BosMode.ON), store, null, null)
                .runMultipleChoice(task, items, model("m", new FakeScorer(V, 64, 0), tok), null);
        assertThat(other.metrics().details())
                .containsEntry("items_resumed", "0")
                .containsEntry("bos", "on (BOS prepended)");
        assertThat(other.runKey()).isNotEqualTo(resumed.runKey());
    }

    @Test
    void fidelityAgainstAnIdenticalBaseIsPerfectAndAgainstAPerturbedOneIsNot() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        List<McItem> items = items(25);
        var task = new FixedTask("t", items, true);
        ScoringModel base = model("base", new FakeScorer(V, 64, 0), tok);
        TaskResult same = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runMultipleChoice(task, items, model("copy", new FakeScorer(V, 64, 0), tok), base);
        var m = same.metrics().metrics();
        assertThat(m.get("kl_mean")).isCloseTo(0, within(1e-6));
        assertThat(m.get("top1_agreement")).isEqualTo(1.0);
        assertThat(m.get("flips")).isZero();
        assertThat(m.get("delta_ll_mean")).isCloseTo(0, within(1e-9));
        assertThat(same.baseMetrics().metrics().get("acc")).isEqualTo(m.get("acc"));

        ItemStore store = ItemStore.inMemory();
        FakeScorer noisyScorer = new FakeScorer(V, 64, 1.5);
        TaskResult noisy = new Evaluator(EvalOptions.defaults(), store, null, null)
                .runMultipleChoice(task, items, model("noisy", noisyScorer, tok), base);
        var n = noisy.metrics().metrics();
        assertThat(n.get("kl_mean")).isGreaterThan(0.01);
        assertThat(n.get("kl_p99")).isGreaterThanOrEqualTo(n.get("kl_median"));
        assertThat(n.get("top1_agreement")).isLessThan(1.0);
        String flipped = noisy.metrics().details().get("flipped_ids");
        assertThat(flipped.isEmpty() ? 0 : flipped.split(",").length)
                .isEqualTo(n.get("flips").intValue());
        // direct check of the KL for one token
        float[] p = new FakeScorer(V, 64, 0).logProbs(3, 5), q = noisyScorer.logProbs(3, 5);
        double kl = 0;
        for (int v = 0; v < V; v++) kl += Math.exp(p[v]) * (p[v] - q[v]);
        assertThat(Fidelity.kl(p, q)).isCloseTo(kl, within(1e-9));
        // the base's items were stored under its own key, and a second run reuses everything
        assertThat(store.load(noisy.baseRunKey())).hasSize(25);
        FakeScorer again = new FakeScorer(V, 64, 1.5);
        FakeScorer baseAgain = new FakeScorer(V, 64, 0);
        TaskResult cached = new Evaluator(EvalOptions.defaults(), store, null, null)
                .runMultipleChoice(task, items, model("noisy", again, tok), model("base", baseAgain, tok));
        assertThat(again.contexts).isEmpty();
        assertThat(baseAgain.contexts).isEmpty();
        assertThat(cached.metrics().metrics()).isEqualTo(noisy.metrics().metrics());
    }

    @Test
    void rollingPerplexityEqualsTheDirectSumOverTheDocument() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        FakeScorer sc = new FakeScorer(V, 8, 0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) sb.append(" w").append(i % 11);
        TextDoc doc = TextDoc.of("0", sb.toString());
        var task = new FixedPpl("p", List.of(doc), PerplexityTask.Protocol.ROLLING);
        TaskResult r = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runPerplexity(task, List.of(doc), model("m", sc, tok), null);
        int[] toks = tok.encode(doc.text());
        double ll = 0;
        for (var w : LmEvalRequests.rollingWindows(toks, 1, 8)) {
            ll += sc.score(w.context(), new int[][] {w.continuation()}, false)[0].sum();
        }
        var m = r.metrics().metrics();
        assertThat(doc.words()).isEqualTo(31); // Python re.split counts the empty piece before the leading space
        assertThat(m.get("word_perplexity")).isCloseTo(Math.exp(-ll / 31), within(1e-9));
        assertThat(m.get("bits_per_byte")).isCloseTo(-ll / doc.bytes() / Math.log(2), within(1e-12));
        assertThat(m.get("perplexity")).isCloseTo(Math.exp(-ll / 30), within(1e-9));

        // fidelity on perplexity: identical base → zero KL
        TaskResult f = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runPerplexity(
                        task,
                        List.of(doc),
                        model("m", new FakeScorer(V, 8, 0), tok),
                        model("b", new FakeScorer(V, 8, 0), tok));
        assertThat(f.metrics().metrics().get("kl_mean")).isCloseTo(0, within(1e-6));
        assertThat(f.metrics().metrics().get("word_perplexity")).isCloseTo(m.get("word_perplexity"), within(1e-9));
        assertThat(f.baseMetrics().metrics().get("word_perplexity")).isCloseTo(m.get("word_perplexity"), within(1e-9));
    }

    @Test
    void chunkedPerplexityIsExpOfMeanNllOverFullChunks() {
        FakeTokenizer tok = new FakeTokenizer(V, true);
        FakeScorer sc = new FakeScorer(V, 10, 0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 35; i++) sb.append(" t").append(i % 13);
        TextDoc doc = TextDoc.of("all", sb.toString());
        var task = new FixedPpl("c", List.of(doc), PerplexityTask.Protocol.CHUNKED);
        TaskResult r = new Evaluator(EvalOptions.defaults(), null, null, null)
                .runPerplexity(task, List.of(doc), model("m", sc, tok), null);
        // AUTO = tokenizer default for the papers' protocol: BOS + 35 tokens = 36 → 3 chunks of 10
        assertThat(r.metrics().items()).isEqualTo(3);
        int[] toks = LmEvalRequests.prepend(1, tok.encode(doc.text()));
        double nll = 0;
        for (int c = 0; c < 3; c++) {
            int[] chunk = Arrays.copyOfRange(toks, c * 10, c * 10 + 10);
            nll -= sc.directLl(new int[] {chunk[0]}, Arrays.copyOfRange(chunk, 1, 10));
        }
        assertThat(r.metrics().metrics().get("perplexity")).isCloseTo(Math.exp(nll / 27), within(1e-9));
    }
}
