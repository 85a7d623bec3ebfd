package dev.llmcw.compress.quant;

import dev.llmcw.tensor.KernelSpecies;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The QuIP# E8P12 codebook: 2^16 points of E8 + ¼ for 8 weights (2 bits/weight).
 *
 * <p>Construction (reproduces quip-sharp {@code latticee8_padded12.py}): 256 absolute-value patterns
 * — the 227 distinct |v| of half-integer vectors v ∈ D8 + ½ with ‖v‖² ≤ 10 (lexicographic order, as
 * {@code torch.unique} returns them), then the 29 norm-12 patterns with five 3/2 and three 1/2
 * listed by {@code get_norm12()} — each with signs such that the coordinate sum is even (2^7 sign
 * choices, the sign of coordinate 7 is forced by parity), shifted by +¼ or −¼.
 *
 * <p>Our 16-bit index layout: bits 15..8 pattern index, bits 7..1 the signs of coordinates 0..6
 * (1 = negative), bit 0 the shift (0: +¼, 1: −¼). The set of codewords is QuIP#'s; the bit layout
 * differs from their CUDA-packed one (we never run their kernels).
 */
public final class E8P12 {
    public static final int DIM = 8;
    public static final int CODES = 1 << 16;
    /** RMS the input is scaled to before rounding (QuIP# opt_scale). */
    public static final double OPT_SCALE = 1.03;
    /** Residual gain of the 4-bit two-stage (RVQ) variant. */
    public static final double RVQ_RESID_SCALE = 3.45;

    /** Doubled absolute values 2|v_i| ∈ {1,3,5,7}, 256 × 8. */
    private static final int[][] PATTERNS = buildPatterns();

    private static final double[] PAT = new double[256 * DIM]; // |v_i|
    private static final double[] PAT_NORM = new double[256]; // ‖a‖²
    private static final boolean[] PAT_HALF_SUM_ODD = new boolean[256]; // (Σ 2a_i)/2 odd

    static {
        for (int p = 0; p < 256; p++) {
            int sum = 0;
            double nrm = 0;
            for (int i = 0; i < DIM; i++) {
                PAT[p * DIM + i] = PATTERNS[p][i] / 2.0;
                nrm += PAT[p * DIM + i] * PAT[p * DIM + i];
                sum += PATTERNS[p][i];
            }
            PAT_NORM[p] = nrm;
            PAT_HALF_SUM_ODD[p] = ((sum / 2) & 1) != 0;
        }
    }

    private E8P12() {}

    private static int[][] buildPatterns() {
        List<int[]> out = new ArrayList<>();
        int[] vals = {1, 3, 5, 7};
        int[] idx = new int[DIM];
        // Odometer with coordinate 0 most significant = lexicographic order of the abs vectors.
        for (int count = 0; count < 1 << 16; count++) {
            int[] v = new int[DIM];
            int sq = 0;
            for (int i = 0; i < DIM; i++) {
                v[i] = vals[idx[i]];
                sq += v[i] * v[i];
            }
            if (sq <= 40) out.add(v); // ‖v‖² ≤ 10 in doubled units
            for (int i = DIM - 1; i >= 0; i--) {
                if (++idx[i] < vals.length) break;
                idx[i] = 0;
            }
        }
        if (out.size() != 227) throw new IllegalStateException("expected 227 norm≤10 patterns, got " + out.size());
        int[][] norm12 = {
            {3, 1, 1, 1, 3, 3, 3, 3}, {1, 3, 1, 1, 3, 3, 3, 3}, {1, 1, 3, 1, 3, 3, 3, 3}, {1, 1, 1, 3, 3, 3, 3, 3},
            {3, 3, 3, 1, 3, 3, 1, 1}, {3, 3, 3, 1, 3, 1, 3, 1}, {3, 3, 3, 1, 1, 3, 3, 1}, {3, 3, 3, 1, 3, 1, 1, 3},
            {3, 3, 3, 1, 1, 3, 1, 3}, {3, 3, 3, 1, 1, 1, 3, 3}, {3, 3, 1, 3, 3, 3, 1, 1}, {3, 3, 1, 3, 3, 1, 3, 1},
            {3, 3, 1, 3, 1, 3, 3, 1}, {3, 3, 1, 3, 3, 1, 1, 3}, {3, 3, 1, 3, 1, 3, 1, 3}, {3, 3, 1, 3, 1, 1, 3, 3},
            {3, 1, 3, 3, 3, 3, 1, 1}, {3, 1, 3, 3, 3, 1, 3, 1}, {3, 1, 3, 3, 1, 3, 3, 1}, {3, 1, 3, 3, 3, 1, 1, 3},
            {3, 1, 3, 3, 1, 3, 1, 3}, {1, 3, 3, 3, 1, 1, 3, 3}, {1, 3, 3, 3, 3, 3, 1, 1}, {1, 3, 3, 3, 3, 1, 3, 1},
            {1, 3, 3, 3, 1, 3, 3, 1}, {1, 3, 3, 3, 3, 1, 1, 3}, {1, 3, 3, 3, 1, 3, 1, 3}, {1, 1, 3, 3, 1, 3, 3, 3},
            {3, 3, 1, 1, 3, 3, 3, 1}
        };
        for (int[] v : norm12) out.add(v);
        return out.toArray(int[][]::new);
    }

    /** Doubled absolute pattern {@code p} (tests). */
    public static int[] pattern(int p) {
        return PATTERNS[p].clone();
    }

    /** Writes codeword {@code code} to out[off..off+8). */
    public static void decode(int code, double[] out, int off) {
        int p = (code >>> 8) & 255;
        int signs = (code >>> 1) & 127;
        double shift = (code & 1) == 0 ? 0.25 : -0.25;
        int neg = Integer.bitCount(signs);
        // Coordinate 7's sign makes Σ s_i·2a_i ≡ 0 (mod 4): (Σ2a_i)/2 + #negatives must be even.
        boolean neg7 = ((PAT_HALF_SUM_ODD[p] ? 1 : 0) + neg & 1) != 0;
        for (int i = 0; i < DIM; i++) {
            boolean negative = i < 7 ? ((signs >>> i) & 1) != 0 : neg7;
            double a = PAT[p * DIM + i];
            out[off + i] = (negative ? -a : a) + shift;
        }
    }

    /** Pattern table transposed (coordinate-major, flat: [i·256 + p]) so the 256 pattern scores vectorise. */
    private static final double[] PAT_T = new double[DIM * 256];

    private static final double[] ODD_MASK = new double[256]; // 1 where (Σ2a_i)/2 is odd
    private static final VectorSpecies<Double> S = KernelSpecies.D;

    static {
        for (int p = 0; p < 256; p++) {
            for (int i = 0; i < DIM; i++) PAT_T[i * 256 + p] = PAT[p * DIM + i];
            ODD_MASK[p] = PAT_HALF_SUM_ODD[p] ? 1 : 0;
        }
    }

    /**
     * Index of the codeword nearest to x[off..off+8) (x already scaled). For each shift and pattern the
     * best signs follow the input; if their parity is wrong the coordinate with the least |y_i|·a_i is
     * flipped — exact, 512 candidates, scored 256 patterns at a time with the Vector API (the eight
     * |y_i| broadcasts are hoisted out of the pattern loop and the coordinate loop unrolled; the sums
     * keep their coordinate order, so scores are bit-identical to the plain loop).
     */
    public static int nearest(double[] x, int off) {
        double best = Double.POSITIVE_INFINITY;
        int bestCode = 0;
        double[] ay = new double[DIM];
        double[] score = new double[256];
        final double[] pt = PAT_T;
        for (int sh = 0; sh < 2; sh++) {
            double shift = sh == 0 ? 0.25 : -0.25;
            int negMask = 0;
            double yy = 0; // ‖y‖² differs between the two shifts, so it stays in the score
            for (int i = 0; i < DIM; i++) {
                double y = x[off + i] - shift;
                yy += y * y;
                if (y < 0) {
                    negMask |= 1 << i;
                    ay[i] = -y;
                } else ay[i] = y;
            }
            boolean negOdd = (Integer.bitCount(negMask) & 1) != 0;
            var a0 = DoubleVector.broadcast(S, ay[0]);
            var a1 = DoubleVector.broadcast(S, ay[1]);
            var a2 = DoubleVector.broadcast(S, ay[2]);
            var a3 = DoubleVector.broadcast(S, ay[3]);
            var a4 = DoubleVector.broadcast(S, ay[4]);
            var a5 = DoubleVector.broadcast(S, ay[5]);
            var a6 = DoubleVector.broadcast(S, ay[6]);
            var a7 = DoubleVector.broadcast(S, ay[7]);
            var yyv = DoubleVector.broadcast(S, yy);
            // score[p] = ‖y‖² + ‖a_p‖² − 2·⟨|y|, a_p⟩ + [parity wrong]·4·min_i |y_i|·a_p,i
            for (int p = 0; p < 256; p += S.length()) {
                var q0 = DoubleVector.fromArray(S, pt, p).mul(a0);
                var q1 = DoubleVector.fromArray(S, pt, 256 + p).mul(a1);
                var q2 = DoubleVector.fromArray(S, pt, 512 + p).mul(a2);
                var q3 = DoubleVector.fromArray(S, pt, 768 + p).mul(a3);
                var q4 = DoubleVector.fromArray(S, pt, 1024 + p).mul(a4);
                var q5 = DoubleVector.fromArray(S, pt, 1280 + p).mul(a5);
                var q6 = DoubleVector.fromArray(S, pt, 1536 + p).mul(a6);
                var q7 = DoubleVector.fromArray(S, pt, 1792 + p).mul(a7);
                var d = q0.add(q1).add(q2).add(q3).add(q4).add(q5).add(q6).add(q7);
                var mn = q0.min(q1).min(q2).min(q3).min(q4).min(q5).min(q6).min(q7);
                var odd = DoubleVector.fromArray(S, ODD_MASK, p);
                if (negOdd) odd = odd.neg().add(1); // parity wrong where exactly one of (pattern, signs) is odd
                var sc = DoubleVector.fromArray(S, PAT_NORM, p)
                        .add(yyv)
                        .sub(d.mul(2))
                        .add(odd.mul(mn).mul(4));
                sc.intoArray(score, p);
            }
            int bp = -1;
            for (int p = 0; p < 256; p++)
                if (score[p] < best) {
                    best = score[p];
                    bp = p;
                }
            if (bp >= 0) {
                int mask = negMask;
                if (((PAT_HALF_SUM_ODD[bp] ? 1 : 0) + Integer.bitCount(negMask) & 1) != 0) {
                    double minCost = Double.POSITIVE_INFINITY;
                    int flip = 0;
                    for (int i = 0; i < DIM; i++) {
                        double c = ay[i] * PAT[bp * DIM + i];
                        if (c < minCost) {
                            minCost = c;
                            flip = i;
                        }
                    }
                    mask ^= 1 << flip;
                }
                bestCode = bp << 8 | (mask & 127) << 1 | sh;
            }
        }
        return bestCode;
    }

    /** Squared distance from x to codeword {@code code}. */
    public static double distanceSq(double[] x, int off, int code) {
        double[] c = new double[DIM];
        decode(code, c, 0);
        double s = 0;
        for (int i = 0; i < DIM; i++) s += (x[off + i] - c[i]) * (x[off + i] - c[i]);
        return s;
    }
}
