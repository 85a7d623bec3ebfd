package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.tensor.DType;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Byte-identical blocks against llama.cpp's own quantizers (ggml-quants.c compiled into the harness of
 * tools/reference/kquant_quantize_golden.sh), for every type, without and with importance weights.
 */
class GgmlQuantizerTest {
    private record Input(int nrow, int n, float[] x, float[] imatrix) {}

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = GgmlQuantizerTest.class.getResourceAsStream("/golden/kquant/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static Input input() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(resource("input.bin")).order(ByteOrder.LITTLE_ENDIAN);
        int nrow = b.getInt(), n = b.getInt();
        float[] x = new float[nrow * n], qw = new float[n];
        b.asFloatBuffer().get(x).get(qw);
        return new Input(nrow, n, x, qw);
    }

    static final String TYPES = "Q4_0|Q8_0|Q4_1|Q5_0|Q5_1|Q2_K|Q3_K|Q4_K|Q5_K|Q6_K|IQ4_NL";

    @ParameterizedTest
    @EnumSource(value = DType.class, mode = EnumSource.Mode.MATCH_ALL, names = TYPES)
    void blocksAreByteIdenticalToLlamaCpp(DType type) throws Exception {
        Input in = input();
        assertBlocks(type, GgmlQuantizer.quantize(type, in.x, in.nrow, in.n, null), resource(type + ".bin"));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, mode = EnumSource.Mode.MATCH_ALL, names = TYPES)
    void importanceWeightedBlocksAreByteIdenticalToLlamaCpp(DType type) throws Exception {
        Input in = input();
        assertBlocks(
                type, GgmlQuantizer.quantize(type, in.x, in.nrow, in.n, in.imatrix), resource(type + "-imatrix.bin"));
    }

    @Test
    void everyBlockTypeExceptTheFloatsIsCovered() {
        for (DType t : DType.values())
            assertThat(GgmlQuantizer.supports(t)).as("%s", t).isEqualTo(t.isBlockType());
    }

    /** Reports the first differing block, which says more than a whole-array mismatch. */
    private static void assertBlocks(DType type, byte[] got, byte[] want) {
        assertThat(got).hasSize(want.length);
        for (int b = 0; b < want.length / type.blockBytes(); b++) {
            int o = b * type.blockBytes();
            byte[] g = Arrays.copyOfRange(got, o, o + type.blockBytes());
            byte[] w = Arrays.copyOfRange(want, o, o + type.blockBytes());
            assertThat(g).as("%s block %d", type, b).containsExactly(w);
        }
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefusedWithTheReason() {
        assertThatThrownBy(() -> GgmlQuantizer.quantize(DType.Q4_K, new float[100], 1, 100, null))
                .hasMessageContaining("Q4_K needs rows of a multiple of 256 values, got 100");
    }
}
