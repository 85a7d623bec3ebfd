package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.engine.KvCache;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.tensor.Tensor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Q4_K_M GGUF made by llama-quantize (tools/reference/kquant_golden.sh: Q4_K and Q6_K tensors) loads and
 * runs packed, and gives the same perplexity and decode logits as the same model dequantised to F32 in Java.
 * The packed kernels accumulate a row of whole blocks in the float32 kernel's order, so the expected
 * agreement is exact; the perplexity is asserted within 1e-4 relative (the bar for a user), the logits bit
 * for bit (the kernels' design).
 */
class KQuantGgufPerplexityTest {
    @TempDir
    Path dir;

    Model load() throws Exception {
        Path p = dir.resolve("synth-q4_k_m.gguf");
        try (InputStream in = getClass().getResourceAsStream("/golden/gguf/kquant/synth-q4_k_m.gguf")) {
            Files.copy(in, p);
        }
        return GgufModelLoader.load(p);
    }

    static Model dequantised(Model m) {
        Map<String, Tensor> dense = new HashMap<>();
        m.tensors().forEach((name, t) -> dense.put(name, F32Tensor.of(t.toFloatArray(), t.shape())));
        return new Model(
                m.config(), dense, m.linears(), m.tokenizer(), m.source(), m.format(), m.label(), m.metadata());
    }

    static int[] document(int length, int vocab) {
        Random rnd = new Random(11);
        int[] doc = new int[length];
        for (int i = 0; i < length; i++) doc[i] = rnd.nextInt(vocab - 2);
        return doc;
    }

    @Test
    void q4KmFileHoldsKQuantsAndGivesTheDequantisedModelsPerplexity() throws Exception {
        Model q = load();
        Set<DType> types = new TreeSet<>();
        q.tensors().values().forEach(t -> types.add(t.dtype()));
        assertThat(types).contains(DType.Q4_K, DType.Q6_K);

        Model f = dequantised(q);
        int[] doc = document(150, q.config().vocabSize());
        double pq = perplexity(q, doc), pf = perplexity(f, doc);
        assertThat(pq).isFinite().isGreaterThan(1.0);
        assertThat(Math.abs(pq - pf) / pf).as("Q4_K_M %s vs F32 %s", pq, pf).isLessThanOrEqualTo(1e-4);
    }

    /** The float decode path (integer dots off): the packed kernels give the dequantised model's logits. */
    @Test
    void decodeOneTokenAtATimeGivesTheDequantisedModelsLogitsBitForBit() throws Exception {
        Model q = load();
        Model f = dequantised(q);
        boolean was = Q8Activations.enabled();
        Q8Activations.setEnabled(false);
        try {
            LlamaEngine eq = new LlamaEngine(q), ef = new LlamaEngine(f);
            KvCache cq = eq.newCache(), cf = ef.newCache();
            int[] doc = document(12, q.config().vocabSize());
            for (int i = 0; i < doc.length; i++) {
                float[] lq = eq.forward(cq, doc, i, 1, 0), lf = ef.forward(cf, doc, i, 1, 0);
                for (int v = 0; v < lq.length; v++) {
                    assertThat(Float.floatToRawIntBits(lq[v]))
                            .as("token %d logit %d: %s vs %s", i, v, lq[v], lf[v])
                            .isEqualTo(Float.floatToRawIntBits(lf[v]));
                }
            }
        } finally {
            Q8Activations.setEnabled(was);
        }
    }

    /**
     * The default decode path multiplies the K-quant rows with Q8_K activations (as llama.cpp does): the
     * logits move by the activations' rounding, a small fraction of their spread.
     */
    @Test
    void decodeWithQ8KActivationsStaysNearTheFloatLogits() throws Exception {
        Model q = load();
        Model f = dequantised(q);
        LlamaEngine eq = new LlamaEngine(q), ef = new LlamaEngine(f);
        KvCache cq = eq.newCache(), cf = ef.newCache();
        int[] doc = document(12, q.config().vocabSize());
        double worst = 0, spread = 0;
        for (int i = 0; i < doc.length; i++) {
            float[] lq = eq.forward(cq, doc, i, 1, 0), lf = ef.forward(cf, doc, i, 1, 0);
            for (int v = 0; v < lq.length; v++) {
                worst = Math.max(worst, Math.abs(lq[v] - lf[v]));
                spread = Math.max(spread, Math.abs(lf[v]));
            }
        }
        System.out.printf("Q8_K decode: largest logit change %.3g, largest logit %.3g%n", worst, spread);
        assertThat(worst).as("the integer path ran").isGreaterThan(0);
        // measured 0.089 of 3.63 (2.5 %, 2026-12-07); a wrong token's or block's activations would move them by ~100 %
        assertThat(worst / spread).isLessThan(0.05);
    }

    static double perplexity(Model m, int[] doc) {
        Perplexity p = new Perplexity(new LlamaEngine(m), m.tokenizer().bosId(), 64);
        p.add(doc);
        return p.result().perplexity();
    }
}
