package dev.llmcw.model.hf;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a Llama-family checkpoint must hold for a configuration, with their shapes, in the order
 * they are written (embedding, then per block: norms, attention, MLP; final norm; classifier if untied).
 * Shared by the loader (validation), the folder writer and the synthetic generator so the three agree.
 */
public final class HfTensorLayout {
    private HfTensorLayout() {}

    public static Map<String, long[]> expectedShapes(ModelConfig c) {
        long dim = c.dim(), q = c.qDim(), kv = c.kvDim(), hidden = c.hiddenDim();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WeightNames.EMBED, new long[] {c.vocabSize(), dim});
        for (int i = 0; i < c.nLayers(); i++) {
            m.put(WeightNames.attnNorm(i), new long[] {dim});
            m.put(WeightNames.q(i), new long[] {q, dim});
            m.put(WeightNames.k(i), new long[] {kv, dim});
            m.put(WeightNames.v(i), new long[] {kv, dim});
            if (c.attentionBias()) {
                m.put(WeightNames.qBias(i), new long[] {q});
                m.put(WeightNames.kBias(i), new long[] {kv});
                m.put(WeightNames.vBias(i), new long[] {kv});
            }
            m.put(WeightNames.o(i), new long[] {dim, q});
            m.put(WeightNames.ffnNorm(i), new long[] {dim});
            m.put(WeightNames.gate(i), new long[] {hidden, dim});
            m.put(WeightNames.up(i), new long[] {hidden, dim});
            m.put(WeightNames.down(i), new long[] {dim, hidden});
        }
        m.put(WeightNames.FINAL_NORM, new long[] {dim});
        if (!c.tiedEmbeddings()) m.put(WeightNames.LM_HEAD, new long[] {c.vocabSize(), dim});
        return m;
    }

    /** RMSNorm weights (initialised to 1 by the synthetic generator). */
    public static boolean isNorm(String name) {
        return name.endsWith("layernorm.weight") || name.equals(WeightNames.FINAL_NORM);
    }

    public static boolean isBias(String name) {
        return name.endsWith(".bias");
    }
}
