package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The integer dots of IQ4_NL (with Q8_0 activations) and Q4_1 (with Q8_1) against llama.cpp's own code
 * (tools/reference/block32_dot_golden.c: {@code quantize_row_q8_0_ref}/{@code quantize_row_q8_1_ref} and
 * {@code ggml_vec_dot_iq4_nl_q8_0_generic}/{@code ggml_vec_dot_q4_1_q8_1_generic} from the pinned build, on
 * the blocks of kquant-golden.gguf). The activation rows are chosen so that llama.cpp's FP16 scales and sums
 * are exact, i.e. equal to ours (which stay floats): the codes, scales and sums must then be identical, and
 * every row's dot bit-identical to the reference C; against the AVX2 kernel llama-perplexity runs (same
 * integers, floats added in another order) within a few float roundings.
 */
class Block32DotGoldenTest {
    static final int COLS = 512, XROWS = 4, BLOCKS = COLS / 32;
    static final float[] x = new float[XROWS * COLS];
    static final Map<String, String[]> q8 = new HashMap<>();
    static final Map<String, Integer> checksum = new HashMap<>();
    static final Map<String, List<String[]>> dots = new HashMap<>();

    @TempDir
    static Path dir;

    static GgufFile golden() throws IOException {
        Path p = dir.resolve("kquant-golden.gguf");
        if (!Files.exists(p)) {
            try (InputStream in =
                    Block32DotGoldenTest.class.getResourceAsStream(GgmlDequantGoldenTest.DIR + "kquant-golden.gguf")) {
                Files.copy(in, p);
            }
        }
        return GgufFile.open(p);
    }

    @BeforeAll
    static void read() throws IOException {
        String text;
        try (InputStream in =
                Block32DotGoldenTest.class.getResourceAsStream(GgmlDequantGoldenTest.DIR + "block32-dot.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "x" -> {
                    int r = Integer.parseInt(f[1]);
                    for (int i = 0; i < COLS; i++) x[r * COLS + i] = hexFloat(f[2 + i]);
                }
                case "q8" -> q8.put(f[1] + " " + f[2], f);
                case "blocks" -> checksum.put(f[1], Integer.parseUnsignedInt(f[2], 16));
                case "dot" -> dots.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f);
                default -> {}
            }
        }
    }

    @Test
    void q8AndQ8_1ActivationsEqualQuantizeRowQ8Ref() {
        Q8Activations a = Q8Activations.quantize(x, 0, COLS, XROWS);
        for (int r = 0; r < XROWS; r++) {
            for (int b = 0; b < BLOCKS; b++) {
                String[] f = q8.get(r + " " + b);
                assertThat(a.scale(r, b)).as("d of row %d block %d", r, b).isEqualTo(hexFloat(f[3]));
                assertThat(a.blockSum(r, b)).as("s of row %d block %d", r, b).isEqualTo(hexFloat(f[4]));
                for (int i = 0; i < 32; i++)
                    assertThat((int) a.code(r, 32 * b + i))
                            .as("code %d of row %d block %d", i, r, b)
                            .isEqualTo(Integer.parseInt(f[5 + i]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"IQ4_NL", "Q4_1"})
    void dotsAreBitIdenticalToTheReferenceCAndCloseToTheAvx2Kernel(DType type) throws IOException {
        String name = GgmlDequantGoldenTest.ggmlName(type);
        Tensor w = golden().tensor(name);
        assertThat(fnv(w))
                .as("the harness quantised the same blocks as kquant-golden.gguf")
                .isEqualTo(checksum.get(name));
        Q8Activations a = Q8Activations.quantize(x, 0, COLS, XROWS);
        List<String[]> rows = dots.get(name);
        assertThat(rows).hasSize(4 * XROWS);
        for (String[] f : rows) {
            int r = Integer.parseInt(f[2]), t = Integer.parseInt(f[3]);
            float reference = hexFloat(f[4]), avx2 = hexFloat(f[5]);
            long off = (long) r * COLS;
            float got = w.dotQ8(off, a, t);
            assertThat(Float.floatToRawIntBits(got))
                    .as("%s row %d x %d: %s vs reference %s", type, r, t, got, reference)
                    .isEqualTo(Float.floatToRawIntBits(reference));
            double bound = 1e-5 * magnitude(w, r, a, t) + 1e-30;
            assertThat((double) Math.abs(got - avx2))
                    .as("%s row %d x %d: %s vs AVX2 %s", type, r, t, got, avx2)
                    .isLessThanOrEqualTo(bound);
        }
    }

    /** Σ|w_i · x_i| over the dequantised row: the scale of float rounding in a sum of 512 products. */
    private static double magnitude(Tensor w, int r, Q8Activations a, int t) {
        double m = 0;
        for (int i = 0; i < COLS; i++) m += Math.abs(w.get((long) r * COLS + i) * a.code(t, i) * a.scale(t, i / 32));
        return m;
    }

    private static float hexFloat(String bits) {
        return Float.intBitsToFloat(Integer.parseUnsignedInt(bits, 16));
    }

    private static int fnv(Tensor w) {
        int h = 0x811c9dc5;
        for (long i = 0; i < w.byteSize(); i++) h = (h ^ (w.segment().get(ValueLayout.JAVA_BYTE, i) & 0xFF)) * 16777619;
        return h;
    }
}
