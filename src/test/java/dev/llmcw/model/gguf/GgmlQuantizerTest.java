package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.tensor.DType;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The blocks in kquant-read's golden GGUF were written by llama.cpp's built library (libggml-base.a, the
     * build's own compiler flags) from input.f32 (tools/reference/kquant_golden.sh): the same bytes again.
     */
    @Test
    void blocksMatchTheBuiltLlamaCppLibrarysOutput() throws Exception {
        byte[] raw = resourceAt("/golden/gguf/kquant/input.f32");
        float[] x = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        Path gguf = Files.createTempFile("kquant-golden", ".gguf");
        try {
            Files.write(gguf, resourceAt("/golden/gguf/kquant/kquant-golden.gguf"));
            GgufFile f = GgufFile.open(gguf);
            int checked = 0;
            for (GgufTensorInfo t : f.tensorInfos().values()) {
                DType type = GgmlType.toDType(t.ggmlType());
                if (type == null || !GgmlQuantizer.supports(type)) continue;
                int n = (int) t.dims()[0], rows = (int) (t.numel() / n);
                byte[] want = new byte[(int) t.byteSize()];
                MemorySegment.copy(
                        f.segment(), ValueLayout.JAVA_BYTE, f.dataStart() + t.offset(), want, 0, want.length);
                assertBlocks(type, GgmlQuantizer.quantize(type, x, rows, n, null), want);
                checked++;
            }
            assertThat(checked).isGreaterThanOrEqualTo(9);
        } finally {
            Files.deleteIfExists(gguf);
        }
    }

    private static byte[] resourceAt(String path) throws Exception {
        try (InputStream in = GgmlQuantizerTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        }
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
