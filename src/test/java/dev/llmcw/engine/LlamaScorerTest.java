package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.engine.Scorer.ContinuationScore;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.tensor.DType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LlamaScorerTest {
    private static final Model QWEN = GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config());

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** log-softmax of one logit row, computed independently in double. */
    private static double logProb(float[] row, int tok) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) max = Math.max(max, v);
        double s = 0;
        for (float v : row) s += Math.exp(v - max);
        return row[tok] - max - Math.log(s);
    }

    @Test
    void sumEqualsLogSoftmaxOfFullSequenceLogits() {
        LlamaEngine e = new LlamaEngine(QWEN);
        int[] ctx = {1, 10, 20, 30, 40};
        int[] cont = {50, 60, 70, 5};
        ContinuationScore s = e.score(ctx, new int[][] {cont}, false)[0];
        float[][] logits = e.logits(concat(ctx, cont));
        double want = 0;
        boolean greedy = true;
        for (int i = 0; i < cont.length; i++) {
            float[] row = logits[ctx.length - 1 + i];
            double lp = logProb(row, cont[i]);
            assertThat(s.tokenLogProbs()[i]).isCloseTo((float) lp, offset(1e-4f));
            want += lp;
            greedy &= Logits.argmax(row, 0, row.length) == cont[i];
        }
        assertThat(s.sum()).isCloseTo(want, offset(1e-4));
        assertThat(s.greedy()).isEqualTo(greedy);
        assertThat(s.distributions()).isNull();
    }

    @Test
    void sharedContextGivesTheSameScoresAsSeparateRuns() {
        LlamaEngine e = new LlamaEngine(QWEN);
        int[] ctx = {1, 7, 8, 9, 11, 13};
        int[][] conts = {{20}, {21, 22, 23}, {24, 25}, {90, 91, 92, 93, 94, 95}};
        ContinuationScore[] shared = e.score(ctx, conts, true);
        for (int i = 0; i < conts.length; i++) {
            ContinuationScore alone = new LlamaEngine(QWEN).score(ctx, new int[][] {conts[i]}, true)[0];
            assertThat(shared[i].sum()).isCloseTo(alone.sum(), offset(1e-5));
            assertThat(shared[i].greedy()).isEqualTo(alone.greedy());
            assertThat(shared[i].distributions()).hasNumberOfRows(conts[i].length);
            for (int p = 0; p < conts[i].length; p++) {
                float[] d = shared[i].distributions()[p];
                double total = 0;
                for (float v : d) total += Math.exp(v);
                assertThat(total).isCloseTo(1.0, offset(1e-4));
                assertThat(d[conts[i][p]]).isCloseTo(shared[i].tokenLogProbs()[p], offset(1e-6f));
                for (int j = 0; j < d.length; j++)
                    assertThat(d[j]).isCloseTo(alone.distributions()[p][j], offset(1e-5f));
            }
        }
    }

    @Test
    void packedContinuationsMatchTheirOwnFullSequences() {
        // one pass with the context and every continuation packed, and passes of one continuation each
        // (budget below one row's logits), against plain causal runs of context + continuation
        int[] ctx = {1, 7, 8, 9, 11, 13, 2, 3};
        int[][] conts = {{20, 21, 22, 23, 24}, {5}, {30, 31}, {90, 91, 92, 93, 94, 95, 60, 61}, {40, 41, 42}};
        LlamaEngine packed = new LlamaEngine(QWEN);
        LlamaEngine passes = new LlamaEngine(QWEN);
        passes.packLogitsBudget(1);
        ContinuationScore[] one = packed.score(ctx, conts, false);
        ContinuationScore[] many = passes.score(ctx, conts, false);
        for (int i = 0; i < conts.length; i++) {
            float[][] logits = packed.logits(concat(ctx, conts[i]));
            for (int p = 0; p < conts[i].length; p++) {
                double want = logProb(logits[ctx.length - 1 + p], conts[i][p]);
                assertThat((double) one[i].tokenLogProbs()[p])
                        .as("cont %d token %d", i, p)
                        .isCloseTo(want, offset(1e-5));
                assertThat((double) many[i].tokenLogProbs()[p])
                        .as("cont %d token %d", i, p)
                        .isCloseTo(want, offset(1e-5));
            }
            assertThat(many[i].sum()).isCloseTo(one[i].sum(), offset(1e-5));
        }
    }

    @Test
    void greedyFlagIsSetForTheArgmaxContinuation() {
        LlamaEngine e = new LlamaEngine(QWEN);
        int[] ctx = {1, 3, 4};
        int[] gen = e.generate(ctx, 3);
        ContinuationScore[] s = e.score(ctx, new int[][] {gen, {gen[0], gen[1], (gen[2] + 1) % 96}}, false);
        assertThat(s[0].greedy()).isTrue();
        assertThat(s[1].greedy()).isFalse();
    }

    @Test
    void longInputsAreTruncatedFromTheLeftLikeLmEval() {
        int maxLen = 8;
        LlamaEngine e = new LlamaEngine(QWEN, maxLen);
        int[] ctx = {1, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        int[] shortCont = {30}; // 11 tokens > maxLen+1: truncated
        int[] longCont = {31, 32, 33}; // truncated more
        int[] fits = {1, 2}; // with a 2-token context it fits
        ContinuationScore[] s = e.score(ctx, new int[][] {shortCont, longCont}, false);
        for (int k = 0; k < 2; k++) {
            int[] cont = k == 0 ? shortCont : longCont;
            int[] all = concat(ctx, cont);
            int[] inp = Arrays.copyOfRange(all, all.length - (maxLen + 1), all.length - 1); // (ctx+cont)[-(L+1):][:-1]
            assertThat(inp).hasSize(maxLen);
            float[][] logits = new LlamaEngine(QWEN).logits(inp);
            double want = 0;
            for (int i = 0; i < cont.length; i++) want += logProb(logits[inp.length - cont.length + i], cont[i]);
            assertThat(s[k].sum()).isCloseTo(want, offset(1e-4));
        }
        // the truncated score differs from the untruncated one (the window really was cut)
        double full = new LlamaEngine(QWEN).score(ctx, new int[][] {shortCont}, false)[0].sum();
        assertThat(Math.abs(full - s[0].sum())).isGreaterThan(1e-4);
        assertThat(e.score(new int[] {1, 5}, new int[][] {fits}, false)[0].tokenLogProbs())
                .hasSize(2);
        assertThatThrownBy(() -> e.score(ctx, new int[][] {new int[9]}, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max length 8");
    }

    @Test
    void emptyInputsAreRejected() {
        LlamaEngine e = new LlamaEngine(QWEN);
        assertThatThrownBy(() -> e.score(new int[0], new int[][] {{1}}, false))
                .hasMessageContaining("non-empty context");
        assertThatThrownBy(() -> e.score(new int[] {1}, new int[][] {{}}, false))
                .hasMessageContaining("empty");
        assertThat(e.maxLength()).isEqualTo(256);
        assertThat(e.vocabSize()).isEqualTo(96);
    }

    /**
     * The packed attention for small heads (head sizes below, above and at one vector, query groups of 1,
     * 2 and 3, odd row counts so that short query batches occur) against the decode path's independent
     * softmax (one token at a time) and against each continuation's own full sequence.
     */
    @Test
    void packedAttentionMatchesTheDecodePathForOddHeadShapes() {
        int[][] shapes = {{4, 4, 4}, {12, 3, 1}, {16, 2, 2}, {8, 6, 2}}; // head size, heads, KV heads
        for (int[] sh : shapes) {
            int hd = sh[0], heads = sh[1], kv = sh[2];
            ModelConfig c = new ModelConfig(
                    "llama",
                    24,
                    40,
                    2,
                    heads,
                    kv,
                    hd,
                    64,
                    256,
                    1e-5f,
                    10000f,
                    RopeLayout.ROTATE_HALF,
                    null,
                    true,
                    false);
            Model m = SyntheticModels.build(c, "odd-heads", DType.F32, 5 + hd);
            LlamaEngine e = new LlamaEngine(m);
            int[] tokens = new int[77];
            for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 37 + hd) % 64;
            float[][] batched = e.logits(tokens);
            KvCache cache = e.newCache(tokens.length);
            for (int t = 0; t < tokens.length; t++) {
                float[] step = e.forward(cache, tokens, t, 1, 0);
                for (int j = 0; j < step.length; j++) {
                    assertThat(step[j])
                            .as("hd %d heads %d/%d pos %d logit %d", hd, heads, kv, t, j)
                            .isCloseTo(batched[t][j], offset(1e-5f));
                }
            }
            int[] ctx = Arrays.copyOf(tokens, 41);
            int[][] conts = {{3, 9, 27}, {50}, {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, {1, 2}};
            ContinuationScore[] packed = e.score(ctx, conts, false);
            for (int i = 0; i < conts.length; i++) {
                float[][] logits = e.logits(concat(ctx, conts[i]));
                for (int p = 0; p < conts[i].length; p++) {
                    double want = logProb(logits[ctx.length - 1 + p], conts[i][p]);
                    assertThat((double) packed[i].tokenLogProbs()[p])
                            .as("hd %d cont %d token %d", hd, i, p)
                            .isCloseTo(want, offset(1e-5));
                }
            }
        }
    }
}
