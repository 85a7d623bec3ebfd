package dev.llmcw.compress.seedlm;

import dev.llmcw.compress.quant.PackedGroupKernels;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SeedLM matvec from a cached basis: U(seed) depends only on the seed, so the C×P basis of every K-bit seed is
 * generated once into a table shared by all layers with the same (K, C, P) — (2^K − 1)·C·P floats, 6 MB for
 * the 4-bit preset (K = 16, C = 8, P = 3) — stored per seed as P columns of C contiguous floats. A block then
 * costs P vector loads from the table and P multiply-adds (ŵ = Σ_i t_i·U_i, the coefficients t_i = scale·q_i·2^e
 * exact in float) and one multiply-add with x, instead of stepping the LFSR C·P times. Blocks must hold whole
 * row pieces ({@link SeedLmTensor#rowAligned()}).
 *
 * <p>Numbers: the basis is rounded once to float and the C·P products are summed in float, so a weight differs
 * from {@link SeedLmTensor#decode()} (double, rounded once) by a few float ulps; the outputs are within float
 * rounding of the dense product (tested against it).
 *
 * <p>Measured slower than {@link SeedLmLinear} (2026-12-07, `seedlm-bench`, 2-core AMD EPYC Zen 3 under load
 * 20–27: 0.01–0.02× dense BF16 CPU time against 0.26–0.38× at the Llama-3.2-1B shapes; one thread with an
 * L1-resident K = 8 table 1.7 ns a weight, with K = 16 8–9 ns): lanes run along a block of C = 8, so every
 * block pays its scalar decoding (seed, exponent, P codes, broadcasts) for 8 weights, and each block's
 * basis is a random read from the 6 MB table. So it is not used for inference; it stays as the measured
 * alternative in {@code seedlm-bench}.
 */
public final class CachedBasisSeedLmLinear implements Linear {
    private static final Map<List<Integer>, float[]> TABLES = new ConcurrentHashMap<>();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int LANES = 8;

    private final SeedLmTensor t;
    private final float[] basis;
    private final int rows, cols, c, p, blocksPerRow;

    public CachedBasisSeedLmLinear(SeedLmTensor t) {
        if (!t.rowAligned())
            throw new IllegalArgumentException("the cached-basis kernel needs blocks that do not span rows");
        if (t.config().p() > 4) throw new IllegalArgumentException("the cached-basis kernel takes P ≤ 4");
        SeedLmConfig cfg = t.config();
        this.t = t;
        this.rows = t.rows();
        this.cols = t.cols();
        this.c = cfg.c();
        this.p = cfg.p();
        this.blocksPerRow = t.blocksPerRow();
        this.basis = table(cfg.k(), c, p);
    }

    /** The basis of every seed 1..2^K − 1 at index seed·C·P: column i of U(seed) at + i·C, its C rows in order. */
    static float[] table(int k, int c, int p) {
        return TABLES.computeIfAbsent(List.of(k, c, p), key -> {
            int seeds = 1 << k, mask = Lfsr.tapMask(k);
            float[] out = new float[seeds * c * p];
            for (int seed = 1; seed < seeds; seed++) {
                int s = seed, base = seed * c * p;
                for (int j = 0; j < c * p; j++) { // the decoder's order: u[r·P + i] is state j = r·P + i
                    s = Lfsr.step(s, k, mask);
                    out[base + (j % p) * c + j / p] = (float) Lfsr.normalise(s, k);
                }
            }
            return out;
        });
    }

    @Override
    public int inFeatures() {
        return cols;
    }

    @Override
    public int outFeatures() {
        return rows;
    }

    @Override
    public long storageBytes() {
        return SeedLmTensor.payloadBytes(rows, cols, t.config());
    }

    /** Bytes of the shared basis table (not counted per layer). */
    public long sharedTableBytes() {
        return 4L * basis.length;
    }

    @Override
    public String kind() {
        return "seedlm cached-basis";
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (batch == 1) {
            Parallel.forRange(0, rows, 8, o -> y[yOff + o] = rowDot(o, x, xOff));
            return;
        }
        Parallel.forRange(0, (rows + 15) / 16, 1, task -> {
            float[] w = new float[cols];
            for (int o = task * 16, end = Math.min(rows, o + 16); o < end; o++) {
                decodeRow(o, w);
                for (int b = 0; b < batch; b++)
                    y[yOff + b * rows + o] = VectorKernels.dot(w, 0, x, xOff + b * cols, cols);
            }
        });
    }

    /** Row o · x with each block's weights formed in registers from the table. */
    float rowDot(int o, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        float tail = 0;
        float[] coef = new float[4];
        for (int b = 0; b < blocksPerRow; b++) {
            int blk = o * blocksPerRow + b, col0 = b * c, len = Math.min(c, cols - col0);
            int base = coefficients(blk, coef);
            int j = 0;
            for (; j + LANES <= len; j += LANES) {
                int at = base + j;
                FloatVector w = FloatVector.fromArray(F, basis, at).mul(coef[0]);
                if (p > 1) w = FloatVector.fromArray(F, basis, at + c).fma(FloatVector.broadcast(F, coef[1]), w);
                if (p > 2) w = FloatVector.fromArray(F, basis, at + 2 * c).fma(FloatVector.broadcast(F, coef[2]), w);
                if (p > 3) w = FloatVector.fromArray(F, basis, at + 3 * c).fma(FloatVector.broadcast(F, coef[3]), w);
                acc = w.fma(FloatVector.fromArray(F, x, xo + col0 + j), acc);
            }
            for (; j < len; j++) tail += weight(base, coef, j) * x[xo + col0 + j];
        }
        return PackedGroupKernels.sum(acc) + tail;
    }

    /** Row o's weights into w[0..cols), the same float operations as {@link #rowDot} forms them. */
    void decodeRow(int o, float[] w) {
        float[] coef = new float[4];
        for (int b = 0; b < blocksPerRow; b++) {
            int blk = o * blocksPerRow + b, col0 = b * c, len = Math.min(c, cols - col0);
            int base = coefficients(blk, coef);
            for (int j = 0; j < len; j++) w[col0 + j] = weight(base, coef, j);
        }
    }

    /** Weight j of a block: t_0·U_0 then fused multiply-adds of the further columns (as the vector lanes do). */
    private float weight(int base, float[] coef, int j) {
        float v = basis[base + j] * coef[0];
        for (int i = 1; i < p; i++) v = Math.fma(basis[base + i * c + j], coef[i], v);
        return v;
    }

    /** Block blk's coefficients scale·q_i·2^e (exact in float) into coef; returns its basis offset. */
    private int coefficients(int blk, float[] coef) {
        float step = Math.scalb(t.scale(), t.exponent(blk)); // scale·2^e: exact, so q·step is exact too
        for (int i = 0; i < p; i++) coef[i] = t.code(blk, i) * step;
        return t.seed(blk) * c * p;
    }
}
