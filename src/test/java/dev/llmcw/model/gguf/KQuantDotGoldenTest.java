package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.FloatPair;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.tensor.Q8KActivations;
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
 * The Q8_K activations and K-quant integer dot products against llama.cpp's own code
 * (tools/reference/kquant_dot_golden.sh: {@code quantize_row_q8_K_ref} and
 * {@code ggml_vec_dot_T_q8_K_generic} from the pinned build, on the blocks of kquant-golden.gguf). The Q8_K
 * bytes must be identical and every row's dot bit-identical to the reference C; against the AVX2 kernel
 * llama-perplexity runs (same integers, floats summed in another order) within a few float roundings.
 */
class KQuantDotGoldenTest {
    static final int COLS = 512, XROWS = 4;
    static float[] x = new float[XROWS * COLS];
    static final Map<String, String[]> q8k = new HashMap<>();
    static final Map<String, Integer> checksum = new HashMap<>();
    static final Map<String, List<String[]>> dots = new HashMap<>();
    /** llama.cpp's Q8_0 and Q8_1 activations of x: per row and block of 32, the fields of the line. */
    static final Map<String, String[]> q80 = new HashMap<>(), q81 = new HashMap<>();

    @TempDir
    static Path dir;

    static GgufFile golden() throws IOException {
        Path p = dir.resolve("kquant-golden.gguf");
        if (!Files.exists(p)) {
            try (InputStream in =
                    KQuantDotGoldenTest.class.getResourceAsStream(GgmlDequantGoldenTest.DIR + "kquant-golden.gguf")) {
                Files.copy(in, p);
            }
        }
        return GgufFile.open(p);
    }

    @BeforeAll
    static void read() throws IOException {
        String text;
        try (InputStream in =
                KQuantDotGoldenTest.class.getResourceAsStream(GgmlDequantGoldenTest.DIR + "kquant-dot.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "x" -> {
                    int r = Integer.parseInt(f[1]);
                    for (int i = 0; i < COLS; i++)
                        x[r * COLS + i] = Float.intBitsToFloat(Integer.parseUnsignedInt(f[2 + i], 16));
                }
                case "q8k" -> q8k.put(f[1] + " " + f[2], f);
                case "q80" -> q80.put(f[1] + " " + f[2], f);
                case "q81" -> q81.put(f[1] + " " + f[2], f);
                case "blocks" -> checksum.put(f[1], Integer.parseUnsignedInt(f[2], 16));
                case "dot" -> dots.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f);
                default -> {}
            }
        }
    }

    @Test
    void q8KActivationsAreByteIdenticalToQuantizeRowQ8KRef() {
        Q8KActivations a = Q8KActivations.quantize(x, 0, COLS, XROWS);
        for (int r = 0; r < XROWS; r++) {
            for (int b = 0; b < COLS / 256; b++) {
                String[] f = q8k.get(r + " " + b);
                assertThat(Float.floatToRawIntBits(a.scale(r, b)))
                        .as("d of row %d block %d", r, b)
                        .isEqualTo(Integer.parseUnsignedInt(f[3], 16));
                for (int i = 0; i < 256; i++)
                    assertThat((int) a.code(r, 256 * b + i))
                            .as("code %d of row %d block %d", i, r, b)
                            .isEqualTo(Integer.parseInt(f[4 + i]));
                for (int s = 0; s < 16; s++)
                    assertThat(a.bsum(r, 16 * b + s))
                            .as("bsum %d of row %d block %d", s, r, b)
                            .isEqualTo(Integer.parseInt(f[4 + 256 + s]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotsAreBitIdenticalToTheReferenceCAndCloseToTheAvx2Kernel(DType type) throws IOException {
        String name = GgmlDequantGoldenTest.ggmlName(type);
        Tensor w = golden().tensor(name);
        assertThat(fnv(w))
                .as("the harness quantised the same blocks as kquant-golden.gguf")
                .isEqualTo(checksum.get(name));
        assertThat(w.hasQ8KDot()).isTrue();
        Q8KActivations a = Q8KActivations.quantize(x, 0, COLS, XROWS);
        List<String[]> rows = dots.get(name);
        assertThat(rows).hasSize(4 * XROWS);
        for (String[] f : rows) {
            int r = Integer.parseInt(f[2]), t = Integer.parseInt(f[3]);
            float reference = Float.intBitsToFloat(Integer.parseUnsignedInt(f[4], 16));
            float avx2 = Float.intBitsToFloat(Integer.parseUnsignedInt(f[5], 16));
            float got = w.dotQ8K((long) r * COLS, a, t);
            assertThat(Float.floatToRawIntBits(got))
                    .as("%s row %d x %d: %s vs reference %s", type, r, t, got, reference)
                    .isEqualTo(Float.floatToRawIntBits(reference));
            double bound = 1e-5 * magnitude(w, r, a, t) + 1e-30;
            assertThat((double) Math.abs(got - avx2))
                    .as("%s row %d x %d: %s vs AVX2 %s", type, r, t, got, avx2)
                    .isLessThanOrEqualTo(bound);
            long pair = w.dotPairQ8K((long) r * COLS, w, (long) ((r + 1) % 4) * COLS, a, t);
            assertThat(Float.floatToRawIntBits(FloatPair.first(pair))).isEqualTo(Float.floatToRawIntBits(got));
        }
    }

    /**
     * Q5_0 × Q8_0 and Q5_1 × Q8_1 ({@code ggml_vec_dot_q5_0_q8_0_generic} / {@code _q5_1_q8_1_generic}) on
     * llama.cpp's own activations (F16 scales and sums, which ours keep in F32): bit-identical to the reference
     * C, and within a few float roundings of the AVX2 kernel.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q5_0", "Q5_1"})
    void q5DotsAreBitIdenticalToTheReferenceC(DType type) throws IOException {
        String name = GgmlDequantGoldenTest.ggmlName(type);
        Tensor w = golden().tensor(name);
        assertThat(fnv(w))
                .as("the harness quantised the same blocks as kquant-golden.gguf")
                .isEqualTo(checksum.get(name));
        assertThat(w.hasIntegerDot()).isTrue();
        boolean q81Rows = type == DType.Q5_1;
        Q8Activations a = llamaCppQ8(q81Rows ? q81 : q80, q81Rows);
        List<String[]> rows = dots.get(name);
        assertThat(rows).hasSize(4 * XROWS);
        for (String[] f : rows) {
            int r = Integer.parseInt(f[2]), t = Integer.parseInt(f[3]);
            float reference = Float.intBitsToFloat(Integer.parseUnsignedInt(f[4], 16));
            float avx2 = Float.intBitsToFloat(Integer.parseUnsignedInt(f[5], 16));
            float got = w.dotQ8((long) r * COLS, a, t);
            assertThat(Float.floatToRawIntBits(got))
                    .as("%s row %d x %d: %s vs reference %s", type, r, t, got, reference)
                    .isEqualTo(Float.floatToRawIntBits(reference));
            double m = 0;
            for (int i = 0; i < COLS; i++)
                m += Math.abs(w.get((long) r * COLS + i) * a.code(t, i) * a.scale(t, i / 32));
            assertThat((double) Math.abs(got - avx2))
                    .as("%s row %d x %d: %s vs AVX2 %s", type, r, t, got, avx2)
                    .isLessThanOrEqualTo(1e-5 * m + 1e-30);
        }
    }

    /** llama.cpp's Q8_0 (or Q8_1, with its sums s) activation rows as written by the harness. */
    private static Q8Activations llamaCppQ8(Map<String, String[]> lines, boolean withSums) {
        int blocks = COLS / 32;
        byte[] codes = new byte[XROWS * COLS];
        float[] d = new float[XROWS * blocks], s = new float[XROWS * blocks];
        int first = withSums ? 5 : 4;
        for (int r = 0; r < XROWS; r++) {
            for (int b = 0; b < blocks; b++) {
                String[] f = lines.get(r + " " + b);
                d[r * blocks + b] = Float.intBitsToFloat(Integer.parseUnsignedInt(f[3], 16));
                if (withSums) s[r * blocks + b] = Float.intBitsToFloat(Integer.parseUnsignedInt(f[4], 16));
                for (int i = 0; i < 32; i++) codes[r * COLS + 32 * b + i] = (byte) Integer.parseInt(f[first + i]);
            }
        }
        return Q8Activations.of(COLS, XROWS, codes, d, withSums ? s : null);
    }

    /** Σ|w_i · x_i| over the dequantised row: the scale of float rounding in a sum of 512 products. */
    private static double magnitude(Tensor w, int r, Q8KActivations a, int t) {
        double m = 0;
        for (int i = 0; i < COLS; i++) m += Math.abs(w.get((long) r * COLS + i) * a.code(t, i) * a.scale(t, i / 256));
        return m;
    }

    private static int fnv(Tensor w) {
        int h = 0x811c9dc5;
        for (long i = 0; i < w.byteSize(); i++) h = (h ^ (w.segment().get(ValueLayout.JAVA_BYTE, i) & 0xFF)) * 16777619;
        return h;
    }
}
