package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.engine.KvCache;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
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

    @Test
    void decodeOneTokenAtATimeGivesTheDequantisedModelsLogitsBitForBit() throws Exception {
        Model q = load();
        Model f = dequantised(q);
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
    }

    static double perplexity(Model m, int[] doc) {
        Perplexity p = new Perplexity(new LlamaEngine(m), m.tokenizer().bosId(), 64);
        p.add(doc);
        return p.result().perplexity();
    }
}
