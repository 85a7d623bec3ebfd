package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.model.Model;
import java.util.Arrays;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class PerplexityTest {
    private static final Model QWEN = GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config());

    /** -sum log p(doc[i] | BOS, doc[..i]) from full-sequence logits. */
    private static double nll(LlamaEngine e, int bos, int[] doc) {
        int[] seq = new int[doc.length + 1];
        seq[0] = bos;
        System.arraycopy(doc, 0, seq, 1, doc.length);
        float[][] logits = e.logits(seq);
        double s = 0;
        for (int i = 0; i < doc.length; i++) s -= logits[i][doc[i]] - logSumExp(logits[i]);
        return s;
    }

    /** Independent reference: max-shifted, Math.exp in double. */
    private static double logSumExp(float[] a) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : a) max = Math.max(max, v);
        for (float v : a) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    @Test
    void documentsAreScoredSeparatelyAfterBos() {
        LlamaEngine e = new LlamaEngine(QWEN);
        int[] a = {5, 6, 7, 8, 9}, b = {40, 41, 42};
        Perplexity p = new Perplexity(e, 1, 64);
        p.add(a);
        p.add(b);
        var r = p.result();
        assertThat(r.tokens()).isEqualTo(8);
        assertThat(r.documents()).isEqualTo(2);
        double want = nll(e, 1, a) + nll(e, 1, b);
        assertThat(r.nll()).isCloseTo(want, offset(1e-4));
        assertThat(r.perplexity()).isCloseTo(Math.exp(want / 8), Percentage.withPercentage(1e-3));
    }

    @Test
    void longDocumentsAreCutIntoFreshWindows() {
        LlamaEngine e = new LlamaEngine(QWEN);
        int[] doc = new int[11];
        for (int i = 0; i < doc.length; i++) doc[i] = 10 + 3 * i;
        Perplexity p = new Perplexity(e, 1, 5); // windows: BOS + 4 tokens
        p.add(doc);
        double want = nll(e, 1, Arrays.copyOfRange(doc, 0, 4))
                + nll(e, 1, Arrays.copyOfRange(doc, 4, 8))
                + nll(e, 1, Arrays.copyOfRange(doc, 8, 11));
        assertThat(p.result().tokens()).isEqualTo(11);
        assertThat(p.result().nll()).isCloseTo(want, offset(1e-4));
    }

    @Test
    void splitsDocuments() {
        String text = "one story.\nstill one.\n\n  \n\ntwo\r\n\r\nthree\n";
        assertThat(Perplexity.split(text, Perplexity.Documents.BLANK_LINE))
                .containsExactly("one story.\nstill one.", "two", "three");
        assertThat(Perplexity.split(text, Perplexity.Documents.LINE))
                .containsExactly("one story.", "still one.", "two", "three");
        assertThat(Perplexity.split(text, Perplexity.Documents.WHOLE)).hasSize(1);
    }
}
