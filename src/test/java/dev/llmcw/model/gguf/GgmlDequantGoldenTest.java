package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.GgmlBlockTensor;
import dev.llmcw.tensor.GgmlDequant;
import dev.llmcw.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The llama.cpp block types read from a GGUF written with llama.cpp's gguf-py, the blocks quantised and the
 * expected floats dequantised by llama.cpp's own ggml-quants.c (tools/reference/kquant_golden.sh). Every
 * value must be bit-identical: through the vector kernels (toFloat), the scalar twin ({@link GgmlDequant})
 * and single-value access.
 */
class GgmlDequantGoldenTest {
    static final String DIR = "/golden/gguf/kquant/";

    @TempDir
    static Path dir;

    static GgufFile golden() throws IOException {
        Path p = dir.resolve("kquant-golden.gguf");
        if (!Files.exists(p)) {
            try (InputStream in = GgmlDequantGoldenTest.class.getResourceAsStream(DIR + "kquant-golden.gguf")) {
                Files.copy(in, p);
            }
        }
        return GgufFile.open(p);
    }

    static float[] floats(String resource) throws IOException {
        try (InputStream in = GgmlDequantGoldenTest.class.getResourceAsStream(DIR + resource)) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        }
    }

    /** ggml_type_name spelling, which the golden files and tensors are named after. */
    static String ggmlName(DType t) {
        return t.name().toLowerCase(Locale.ROOT).replace("_k", "_K");
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void dequantisationIsBitIdenticalToLlamaCpp(DType type) throws IOException {
        String name = ggmlName(type);
        float[] want = floats(name + ".f32");
        Tensor t = golden().tensor(name);
        assertThat(t).isInstanceOf(GgmlBlockTensor.class);
        assertThat(t.dtype()).isEqualTo(type);
        assertThat(t.shape()).containsExactly(4, 512);
        assertBits(type + " toFloat", t.toFloatArray(), want);

        float[] scalar = new float[want.length];
        GgmlDequant.blocks(type, t.segment(), 0, want.length / type.blockSize(), scalar, 0);
        assertBits(type + " scalar", scalar, want);

        Random rnd = new Random(7);
        for (int k = 0; k < 50; k++) {
            int i = rnd.nextInt(want.length);
            assertThat(Float.floatToRawIntBits(t.get(i)))
                    .as(type + " get(" + i + ")")
                    .isEqualTo(Float.floatToRawIntBits(want[i]));
        }
    }

    /** A row of whole blocks: the packed dot product is the float32 dot product of the dequantised row, bit for bit. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void packedDotEqualsTheFloat32DotOfTheDequantisedRow(DType type) throws IOException {
        Tensor t = golden().tensor(ggmlName(type));
        Tensor dense = F32Tensor.of(floats(ggmlName(type) + ".f32"), 4, 512);
        Random rnd = new Random(3);
        float[] x = new float[512 + 9];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int row = 0; row < 4; row++) {
            float got = t.dot(row * 512L, x, 9, 512), want = dense.dot(row * 512L, x, 9, 512);
            assertThat(Float.floatToRawIntBits(got)).as(type + " row " + row).isEqualTo(Float.floatToRawIntBits(want));
        }
    }

    static void assertBits(String what, float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                throw new AssertionError(what + ": value " + i + " is " + got[i] + ", llama.cpp gives " + want[i]);
            }
        }
    }
}
