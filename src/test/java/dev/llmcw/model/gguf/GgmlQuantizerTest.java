package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @ParameterizedTest
    @EnumSource(GgmlQuantizer.class)
    void blocksAreByteIdenticalToLlamaCpp(GgmlQuantizer type) throws Exception {
        Input in = input();
        assertBlocks(type, type.quantize(in.x, in.nrow, in.n, null), resource(type.name() + ".bin"));
    }

    @ParameterizedTest
    @EnumSource(GgmlQuantizer.class)
    void importanceWeightedBlocksAreByteIdenticalToLlamaCpp(GgmlQuantizer type) throws Exception {
        Input in = input();
        assertBlocks(type, type.quantize(in.x, in.nrow, in.n, in.imatrix), resource(type.name() + "-imatrix.bin"));
    }

    /** Reports the first differing block, which says more than a whole-array mismatch. */
    private static void assertBlocks(GgmlQuantizer type, byte[] got, byte[] want) {
        assertThat(got).hasSize(want.length);
        for (int b = 0; b < want.length / type.blockBytes; b++) {
            int o = b * type.blockBytes;
            byte[] g = Arrays.copyOfRange(got, o, o + type.blockBytes);
            byte[] w = Arrays.copyOfRange(want, o, o + type.blockBytes);
            assertThat(g).as("%s block %d", type, b).containsExactly(w);
        }
    }

    @Test
    void exactBitsPerWeight() {
        assertThat(GgmlQuantizer.Q2_K.bitsPerWeight()).isEqualTo(2.625);
        assertThat(GgmlQuantizer.Q3_K.bitsPerWeight()).isEqualTo(3.4375);
        assertThat(GgmlQuantizer.Q4_K.bitsPerWeight()).isEqualTo(4.5);
        assertThat(GgmlQuantizer.Q5_K.bitsPerWeight()).isEqualTo(5.5);
        assertThat(GgmlQuantizer.Q6_K.bitsPerWeight()).isEqualTo(6.5625);
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefusedWithTheReason() {
        assertThatThrownBy(() -> GgmlQuantizer.Q4_K.quantize(new float[100], 1, 100, null))
                .hasMessageContaining("Q4_K needs rows of a multiple of 256 values, got 100");
    }
}
