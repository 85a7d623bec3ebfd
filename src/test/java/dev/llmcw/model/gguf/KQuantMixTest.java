package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.model.gguf.KQuantMix.ModelShape;
import dev.llmcw.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** llama_tensor_get_type's choices for a Llama model, as read from src/llama-quant.cpp by hand. */
class KQuantMixTest {
    private static final ModelShape LLAMA_32 = new ModelShape(32, 1, false, false);

    private static List<Integer> layersWith(KQuantMix mix, String tensor, DType type, ModelShape m) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < m.nLayers(); i++) {
            if (mix.typeFor("blk." + i + "." + tensor, 4096, m, false) == type) out.add(i);
        }
        return out;
    }

    @Test
    void q4KMGivesQ6KToAttnVAndFfnDownInTheFirstAndLastEighthAndEveryThirdLayerBetween() {
        List<Integer> more = List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);
        assertThat(layersWith(KQuantMix.Q4_K_M, "attn_v.weight", DType.Q6_K, LLAMA_32))
                .isEqualTo(more);
        assertThat(layersWith(KQuantMix.Q4_K_M, "ffn_down.weight", DType.Q6_K, LLAMA_32))
                .isEqualTo(more);
        assertThat(layersWith(KQuantMix.Q4_K_M, "attn_q.weight", DType.Q4_K, LLAMA_32))
                .hasSize(32);
        assertThat(KQuantMix.Q4_K_M.typeFor("output.weight", 4096, LLAMA_32, false))
                .isEqualTo(DType.Q6_K);
        assertThat(KQuantMix.Q4_K_M.typeFor("token_embd.weight", 4096, LLAMA_32, false))
                .isEqualTo(DType.Q4_K);
        assertThat(KQuantMix.Q4_K_M.typeFor("blk.0.attn_norm.weight", 4096, LLAMA_32, false))
                .isEqualTo(DType.F32);
    }

    @Test
    void otherMixes() {
        // Q3_K_M: attn_v Q5_K in the first two layers then Q4_K, ffn_down Q5_K in the first 1/16, attn_output Q4_K
        assertThat(layersWith(KQuantMix.Q3_K_M, "attn_v.weight", DType.Q5_K, LLAMA_32))
                .containsExactly(0, 1);
        assertThat(layersWith(KQuantMix.Q3_K_M, "ffn_down.weight", DType.Q5_K, LLAMA_32))
                .containsExactly(0, 1);
        assertThat(layersWith(KQuantMix.Q3_K_M, "ffn_down.weight", DType.Q4_K, LLAMA_32))
                .hasSize(30);
        assertThat(layersWith(KQuantMix.Q3_K_M, "attn_output.weight", DType.Q4_K, LLAMA_32))
                .hasSize(32);
        // Q2_K: attn_v Q3_K (Q4_K with 4+ heads per KV head), ffn_down and attn_output Q3_K
        assertThat(layersWith(KQuantMix.Q2_K, "attn_v.weight", DType.Q3_K, LLAMA_32))
                .hasSize(32);
        assertThat(layersWith(KQuantMix.Q2_K, "attn_v.weight", DType.Q4_K, new ModelShape(32, 4, false, false)))
                .hasSize(32);
        assertThat(layersWith(KQuantMix.Q2_K, "ffn_down.weight", DType.Q3_K, LLAMA_32))
                .hasSize(32);
        // Q4_K_S: attn_v Q5_K in the first four layers, ffn_down Q5_K in the first eighth
        assertThat(layersWith(KQuantMix.Q4_K_S, "attn_v.weight", DType.Q5_K, LLAMA_32))
                .containsExactly(0, 1, 2, 3);
        assertThat(layersWith(KQuantMix.Q4_K_S, "ffn_down.weight", DType.Q5_K, LLAMA_32))
                .containsExactly(0, 1, 2, 3);
        // Q4_0 with an imatrix: ffn_down of the first eighth is Q4_1
        assertThat(layersWith(KQuantMix.Q4_0, "ffn_down.weight", DType.Q4_1, new ModelShape(32, 1, false, true)))
                .containsExactly(0, 1, 2, 3);
        assertThat(layersWith(KQuantMix.Q4_0, "ffn_down.weight", DType.Q4_1, LLAMA_32))
                .isEmpty();
    }

    @Test
    void tiedEmbeddingsTakeTheOutputType() {
        var tied = new ModelShape(32, 1, true, false);
        assertThat(KQuantMix.Q4_K_M.typeFor("token_embd.weight", 4096, tied, false))
                .isEqualTo(DType.Q6_K);
        assertThat(KQuantMix.Q8_0.typeFor("token_embd.weight", 4096, tied, false))
                .isEqualTo(DType.Q8_0);
    }

    @Test
    void pureGivesTheBaseTypeEverywhere() {
        assertThat(KQuantMix.Q4_K_M.typeFor("output.weight", 4096, LLAMA_32, true))
                .isEqualTo(DType.Q4_K);
        assertThat(layersWith(KQuantMix.Q4_K_M, "attn_v.weight", DType.Q4_K, LLAMA_32)
                        .size())
                .isEqualTo(16);
    }

    @Test
    void rowsThatAreNotWholeSuperBlocksFallBackAsLlamaCppDoes() {
        // stories260K: dim 64, hidden 172
        var s = new ModelShape(5, 2, true, false);
        assertThat(KQuantMix.Q4_K_M.typeFor("blk.1.attn_q.weight", 64, s, false))
                .isEqualTo(DType.Q5_0);
        assertThat(KQuantMix.Q2_K.typeFor("blk.1.attn_q.weight", 64, s, false)).isEqualTo(DType.Q4_0);
        assertThat(KQuantMix.Q5_K_S.typeFor("blk.1.attn_q.weight", 64, s, false))
                .isEqualTo(DType.Q5_1);
        assertThat(KQuantMix.Q4_K_M.typeFor("blk.4.attn_v.weight", 64, s, false))
                .isEqualTo(DType.Q8_0);
        assertThat(KQuantMix.Q4_K_M.typeFor("blk.0.ffn_down.weight", 172, s, false))
                .isEqualTo(DType.F16);
        assertThat(KQuantMix.Q4_K_M.typeFor("token_embd.weight", 64, s, false)).isEqualTo(DType.Q8_0);
    }

    @Test
    void namesAsLlamaQuantizeReadsThem() {
        assertThat(KQuantMix.parse("q4_k")).isEqualTo(KQuantMix.Q4_K_M);
        assertThat(KQuantMix.parse("Q6_K")).isEqualTo(KQuantMix.Q6_K);
        assertThatThrownBy(() -> KQuantMix.parse("Q7_K"))
                .hasMessageStartingWith("unknown llama.cpp quantization type 'Q7_K'");
    }
}
