package dev.llmcw.compress.seedlm;

import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Parallel;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exhaustive seed search (algorithms.md §1): for every block w and every one of the 2^K − 1 seeds,
 * t* = pinv(U)·w, quantise, err = ‖w‖² − t*ᵀGt* + (t̂−t*)ᵀG(t̂−t*); keep the least error.
 *
 * <p>Two stages. (1) A float screen vectorised across seeds (one SIMD lane per seed, structure-of-arrays tables).
 * For each block, Uᵀw is obtained for every seed from one correlation of w with the LFSR cycle (neighbouring seeds
 * share columns: (U(o)ᵀw)_i = s(o + 1 + i), s(m) = Σ_r w_r·u(m + r·P), C products per seed), and the lower bound
 * ‖w‖² − ‖L⁻¹Uᵀw‖² (G = UᵀU = L·Lᵀ; equal to the spec's ‖w‖² − t*ᵀGt*, the least-squares residual) prunes whole
 * vectors of seeds. The bound is made rigorous by a per-seed rounding slack ({@link SeedTables#slack}), so a seed is
 * pruned only if its float error could not have come within the threshold. The few surviving vectors compute their
 * float error, and every seed within a small margin of the running best is recorded. (2) Those candidates are
 * rescored exactly in double (t* from the double pseudo-inverse, quantisation in double, err = ‖w − U t̂‖² summed
 * directly); the least double error wins, ties going to the lowest offset. The result therefore equals the
 * exhaustive double-precision optimum unless a float error is off by more than the margin (possible only for a t*
 * within float rounding of a quantisation midpoint; a fooled screen is detected and re-run with a wide margin); the
 * exactness tests check it against brute force and against the numpy reference. The float error of a surviving seed
 * is the residual ‖w − U t̂‖² summed directly, not the spec's ‖w‖² − t*ᵀGt* + (t̂−t*)ᵀG(t̂−t*) (equal in exact
 * arithmetic): with U badly conditioned t* and even t̂ (up to 7·2^7) are huge and the quadratic forms cancel
 * catastrophically in float (seen on real weights: negative "errors" that fooled the screen). Seeds are tiled in
 * chunks (default 32 KB of pruning tables, property seedlm.chunkKB) that stay in L1/L2 while a batch of blocks runs.
 */
public final class SeedSearch {
    private static final VectorSpecies<Float> FS = KernelSpecies.F;
    private static final VectorSpecies<Integer> IS = FS.vectorShape().withLanes(int.class);
    private static final float MAGIC = 12582912f; // 1.5·2^23: (x + M) − M rounds |x| < 2^22 to nearest even
    private static final double REL_MARGIN = 2e-5, ABS_MARGIN = 2e-6;
    private static final int BATCH = 64;

    private final SeedLmConfig cfg;
    private final SeedTables tab;
    private final int c, p, chunk;

    /** Result of one block. */
    public record BlockResult(int offset, int seed, int exponent, int[] codes, double error) {}

    /** Largest K whose search tables are built: K = 20 at (8,3) already takes ~130 MB of float tables. */
    public static final int MAX_SEARCH_K = 20;

    public SeedSearch(SeedLmConfig cfg) {
        if (cfg.k() > MAX_SEARCH_K) {
            throw new IllegalArgumentException("exhaustive seed search supports K <= " + MAX_SEARCH_K
                    + " (tables for K=" + cfg.k() + " would take "
                    + (((1L << cfg.k()) * 4 * (cfg.c() * (cfg.p() <= 3 ? 3 : 4) + 12)) >> 20)
                    + " MB); the LFSR itself goes to K=24");
        }
        this.cfg = cfg;
        this.tab = SeedTables.of(cfg.c(), cfg.p(), cfg.k());
        this.c = cfg.c();
        this.p = cfg.p();
        int bytesPerSeed = 4 * (tab.pairs + 2); // the pruning pass reads M, the slack and the correlation per offset
        this.chunk = Math.max(
                FS.length(),
                Math.min(
                        tab.nPad,
                        Integer.getInteger("seedlm.chunkKB", 32) * 1024 / bytesPerSeed / FS.length() * FS.length()));
    }

    public SeedLmConfig config() {
        return cfg;
    }

    /** Register state of a search offset. */
    public int seedOf(int offset) {
        return tab.seed(offset);
    }

    /**
     * Searches blocks [0, nBlocks) of {@code w} (block b at w[b·C .. b·C+C)), all cores. Writes the seed state,
     * exponent and codes (P per block) of each block; returns the squared errors. {@code done} is told the
     * number of blocks finished after each batch; cancellation is checked per batch.
     */
    public double[] search(
            float[] w,
            int nBlocks,
            int[] seeds,
            byte[] exps,
            byte[] codes,
            CancellationToken cancel,
            IntConsumer done) {
        double[] errs = new double[nBlocks];
        int batches = (nBlocks + BATCH - 1) / BATCH;
        Parallel.forRange(0, batches, 1, bi -> {
            if (cancel != null) cancel.throwIfCancelled();
            int b0 = bi * BATCH, b1 = Math.min(nBlocks, b0 + BATCH);
            BlockResult[] res = searchBatch(w, b0, b1);
            for (int b = b0; b < b1; b++) {
                BlockResult r = res[b - b0];
                seeds[b] = r.seed;
                exps[b] = (byte) r.exponent;
                for (int i = 0; i < p; i++) codes[b * p + i] = (byte) r.codes[i];
                errs[b] = r.error;
            }
            if (done != null) done.accept(b1 - b0);
        });
        return errs;
    }

    /** Searches one block (single thread). */
    public BlockResult searchOne(float[] block) {
        if (block.length != c) throw new IllegalArgumentException("block length " + block.length + " != C " + c);
        return searchBatch(block, 0, 1)[0];
    }

    /** Candidate seeds of one block found by the float screen. */
    private static final class Candidates {
        float best = Float.POSITIVE_INFINITY, thr = Float.POSITIVE_INFINITY;
        int[] off = new int[16];
        float[] err = new float[16];
        int size;
        final float ww;
        final boolean fixed;

        Candidates(float ww) {
            this.ww = ww;
            this.fixed = false;
        }

        /** Collects every seed with float error ≤ thr, without lowering thr (second pass). */
        Candidates(float ww, float thr) {
            this.ww = ww;
            this.thr = thr;
            this.fixed = true;
        }

        void add(int o, float e) {
            if (size == off.length) {
                off = Arrays.copyOf(off, size * 2);
                err = Arrays.copyOf(err, size * 2);
            }
            off[size] = o;
            err[size++] = e;
            if (e < best && !fixed) {
                best = e;
                thr = (float) (best + REL_MARGIN * Math.abs(best) + ABS_MARGIN * ww);
            }
        }
    }

    BlockResult[] searchBatch(float[] w, int b0, int b1) {
        int nb = b1 - b0;
        BlockResult[] out = new BlockResult[nb];
        if (p > 4) { // no vector kernel: exhaustive in double (sweeps only)
            for (int b = 0; b < nb; b++) out[b] = exhaustiveDouble(w, (b0 + b) * c);
            return out;
        }
        Candidates[] cand = new Candidates[nb];
        for (int b = 0; b < nb; b++) {
            float ww = 0;
            for (int j = 0; j < c; j++) ww += w[(b0 + b) * c + j] * w[(b0 + b) * c + j];
            cand[b] = new Candidates(ww);
        }
        float[] lanes = new float[FS.length()];
        float[] sbuf = new float[chunk + tab.pk + 2 * FS.length()];
        for (int o0 = 0; o0 < tab.nPad; o0 += chunk) {
            int o1 = Math.min(tab.nPad, o0 + chunk);
            for (int b = 0; b < nb; b++) {
                if (cand[b].ww == 0f) continue;
                screen(w, (b0 + b) * c, o0, o1, cand[b], sbuf, lanes);
            }
        }
        double[] wd = new double[c];
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < c; j++) wd[j] = w[(b0 + b) * c + j];
            if (cand[b].ww == 0f) {
                out[b] = zeroBlock();
                continue;
            }
            BlockResult r = rescore(wd, cand[b]);
            if (r.error > cand[b].thr) {
                // The float screen was fooled: a seed whose float t* (from a badly conditioned pinv) quantised
                // differently looked better than it is in double and set the threshold too low. Collect every
                // seed within a generous margin of the true best found so far and rescore them all.
                Candidates again = new Candidates(cand[b].ww, (float) (1.25 * r.error + ABS_MARGIN * cand[b].ww));
                for (int o0 = 0; o0 < tab.nPad; o0 += chunk) {
                    int o1 = Math.min(tab.nPad, o0 + chunk);
                    screen(w, (b0 + b) * c, o0, o1, again, sbuf, lanes);
                }
                if (again.size > 0) {
                    BlockResult r2 = rescore(wd, again);
                    if (r2.error < r.error || r2.error == r.error && r2.offset < r.offset) r = r2;
                }
            }
            out[b] = r;
        }
        return out;
    }

    private BlockResult zeroBlock() {
        return new BlockResult(0, tab.seed(0), CoefficientQuantizer.E_MIN, new int[p], 0.0);
    }

    /**
     * Float screen of offsets [o0, o1) for the block at w[wOff..]: records candidates into {@code cs}. Pass 1 correlates
     * w with the cycle, s(m) = Σ_r w_r·unorm[m + r·P], so that (U(o)ᵀw)_i = s(o + 1 + i) costs C products per offset
     * shared by its P columns (neighbouring seeds share columns). Pass 2 forms z = M(o)·Uᵀw and prunes every vector of
     * offsets whose lower bound ‖w‖² − ‖z‖² exceeds the threshold by more than the offset's rounding slack
     * ({@link SeedTables#slack}); the rare survivors go through {@link #fine3}/{@link #fine4}, which compute the float
     * error itself. The pruning test is conservative, so the candidates (and hence the result) are those of the
     * unpruned screen.
     */
    private void screen(float[] w, int wOff, int o0, int o1, Candidates cs, float[] sbuf, float[] lanes) {
        int sLen = (o1 - o0 + tab.pk - 1 + FS.length() - 1) / FS.length() * FS.length();
        if (c == 8) correlate8(w, wOff, o0 + 1, sLen, sbuf);
        else if (c == 12) correlate12(w, wOff, o0 + 1, sLen, sbuf);
        else correlate(w, wOff, o0 + 1, sLen, sbuf);
        if (tab.pk == 3) prune3(w, wOff, o0, o1, cs, sbuf, lanes);
        else prune4(w, wOff, o0, o1, cs, sbuf, lanes);
    }

    /** sbuf[m] = Σ_r w_r·unorm[m0 + m + r·P] for m < len (general C). */
    private void correlate(float[] w, int wOff, int m0, int len, float[] sbuf) {
        final float[] un = tab.unorm;
        final int p = this.p, c = this.c;
        for (int m = 0; m < len; m += FS.length()) {
            FloatVector acc = FloatVector.zero(FS);
            for (int r = 0; r < c; r++)
                acc = FloatVector.fromArray(FS, un, m0 + m + r * p).fma(FloatVector.broadcast(FS, w[wOff + r]), acc);
            acc.intoArray(sbuf, m);
        }
    }

    /** {@link #correlate} for C = 8 with the broadcasts hoisted (the 4-bit preset). */
    private void correlate8(float[] w, int wOff, int m0, int len, float[] sbuf) {
        final float[] un = tab.unorm;
        final int p = this.p;
        final FloatVector w0 = FloatVector.broadcast(FS, w[wOff]),
                w1 = FloatVector.broadcast(FS, w[wOff + 1]),
                w2 = FloatVector.broadcast(FS, w[wOff + 2]),
                w3 = FloatVector.broadcast(FS, w[wOff + 3]),
                w4 = FloatVector.broadcast(FS, w[wOff + 4]),
                w5 = FloatVector.broadcast(FS, w[wOff + 5]),
                w6 = FloatVector.broadcast(FS, w[wOff + 6]),
                w7 = FloatVector.broadcast(FS, w[wOff + 7]);
        for (int m = 0; m < len; m += FS.length()) {
            int u = m0 + m;
            FloatVector acc = FloatVector.fromArray(FS, un, u).mul(w0);
            acc = FloatVector.fromArray(FS, un, u + p).fma(w1, acc);
            acc = FloatVector.fromArray(FS, un, u + 2 * p).fma(w2, acc);
            acc = FloatVector.fromArray(FS, un, u + 3 * p).fma(w3, acc);
            acc = FloatVector.fromArray(FS, un, u + 4 * p).fma(w4, acc);
            acc = FloatVector.fromArray(FS, un, u + 5 * p).fma(w5, acc);
            acc = FloatVector.fromArray(FS, un, u + 6 * p).fma(w6, acc);
            acc = FloatVector.fromArray(FS, un, u + 7 * p).fma(w7, acc);
            acc.intoArray(sbuf, m);
        }
    }

    /** {@link #correlate} for C = 12 (the 3-bit preset). */
    private void correlate12(float[] w, int wOff, int m0, int len, float[] sbuf) {
        final float[] un = tab.unorm;
        final int p = this.p;
        final FloatVector w0 = FloatVector.broadcast(FS, w[wOff]),
                w1 = FloatVector.broadcast(FS, w[wOff + 1]),
                w2 = FloatVector.broadcast(FS, w[wOff + 2]),
                w3 = FloatVector.broadcast(FS, w[wOff + 3]),
                w4 = FloatVector.broadcast(FS, w[wOff + 4]),
                w5 = FloatVector.broadcast(FS, w[wOff + 5]),
                w6 = FloatVector.broadcast(FS, w[wOff + 6]),
                w7 = FloatVector.broadcast(FS, w[wOff + 7]),
                w8 = FloatVector.broadcast(FS, w[wOff + 8]),
                w9 = FloatVector.broadcast(FS, w[wOff + 9]),
                w10 = FloatVector.broadcast(FS, w[wOff + 10]),
                w11 = FloatVector.broadcast(FS, w[wOff + 11]);
        for (int m = 0; m < len; m += FS.length()) {
            int u = m0 + m;
            FloatVector a = FloatVector.fromArray(FS, un, u).mul(w0),
                    b = FloatVector.fromArray(FS, un, u + p).mul(w1);
            a = FloatVector.fromArray(FS, un, u + 2 * p).fma(w2, a);
            b = FloatVector.fromArray(FS, un, u + 3 * p).fma(w3, b);
            a = FloatVector.fromArray(FS, un, u + 4 * p).fma(w4, a);
            b = FloatVector.fromArray(FS, un, u + 5 * p).fma(w5, b);
            a = FloatVector.fromArray(FS, un, u + 6 * p).fma(w6, a);
            b = FloatVector.fromArray(FS, un, u + 7 * p).fma(w7, b);
            a = FloatVector.fromArray(FS, un, u + 8 * p).fma(w8, a);
            b = FloatVector.fromArray(FS, un, u + 9 * p).fma(w9, b);
            a = FloatVector.fromArray(FS, un, u + 10 * p).fma(w10, a);
            b = FloatVector.fromArray(FS, un, u + 11 * p).fma(w11, b);
            a.add(b).intoArray(sbuf, m);
        }
    }

    /** Pass 2 for 3 coefficient rows (P ≤ 3): prune on ‖w‖² − ‖M·Uᵀw‖², the hot loop. */
    private void prune3(float[] w, int wOff, int o0, int o1, Candidates cs, float[] sbuf, float[] lanes) {
        final int nPad = tab.nPad;
        final float[] m = tab.chol, sl = tab.slack;
        final FloatVector wwV = FloatVector.broadcast(FS, cs.ww);
        FloatVector thrV = FloatVector.broadcast(FS, cs.thr);
        for (int o = o0; o < o1; o += FS.length()) {
            int i = o - o0;
            FloatVector b0 = FloatVector.fromArray(FS, sbuf, i),
                    b1 = FloatVector.fromArray(FS, sbuf, i + 1),
                    b2 = FloatVector.fromArray(FS, sbuf, i + 2);
            FloatVector z0 = FloatVector.fromArray(FS, m, o).mul(b0);
            FloatVector z1 = FloatVector.fromArray(FS, m, nPad + o)
                    .mul(b0)
                    .add(FloatVector.fromArray(FS, m, 2 * nPad + o).mul(b1));
            FloatVector z2 = FloatVector.fromArray(FS, m, 3 * nPad + o)
                    .mul(b0)
                    .add(FloatVector.fromArray(FS, m, 4 * nPad + o).mul(b1))
                    .add(FloatVector.fromArray(FS, m, 5 * nPad + o).mul(b2));
            FloatVector zz = z0.mul(z0).add(z1.mul(z1)).add(z2.mul(z2));
            FloatVector lim = FloatVector.fromArray(FS, sl, o).fma(wwV, thrV);
            if (!wwV.sub(zz).compare(VectorOperators.LE, lim).anyTrue()) continue; // no seed here can beat the best
            fine3(w, wOff, o, cs, lanes);
            thrV = FloatVector.broadcast(FS, cs.thr);
        }
    }

    /** {@link #prune3} for 4 coefficient rows. */
    private void prune4(float[] w, int wOff, int o0, int o1, Candidates cs, float[] sbuf, float[] lanes) {
        final int nPad = tab.nPad;
        final float[] m = tab.chol, sl = tab.slack;
        final FloatVector wwV = FloatVector.broadcast(FS, cs.ww);
        FloatVector thrV = FloatVector.broadcast(FS, cs.thr);
        for (int o = o0; o < o1; o += FS.length()) {
            int i = o - o0;
            FloatVector b0 = FloatVector.fromArray(FS, sbuf, i),
                    b1 = FloatVector.fromArray(FS, sbuf, i + 1),
                    b2 = FloatVector.fromArray(FS, sbuf, i + 2),
                    b3 = FloatVector.fromArray(FS, sbuf, i + 3);
            FloatVector z0 = FloatVector.fromArray(FS, m, o).mul(b0);
            FloatVector z1 = FloatVector.fromArray(FS, m, nPad + o)
                    .mul(b0)
                    .add(FloatVector.fromArray(FS, m, 2 * nPad + o).mul(b1));
            FloatVector z2 = FloatVector.fromArray(FS, m, 3 * nPad + o)
                    .mul(b0)
                    .add(FloatVector.fromArray(FS, m, 4 * nPad + o).mul(b1))
                    .add(FloatVector.fromArray(FS, m, 5 * nPad + o).mul(b2));
            FloatVector z3 = FloatVector.fromArray(FS, m, 6 * nPad + o)
                    .mul(b0)
                    .add(FloatVector.fromArray(FS, m, 7 * nPad + o).mul(b1))
                    .add(FloatVector.fromArray(FS, m, 8 * nPad + o).mul(b2))
                    .add(FloatVector.fromArray(FS, m, 9 * nPad + o).mul(b3));
            FloatVector zz = z0.mul(z0).add(z1.mul(z1)).add(z2.mul(z2)).add(z3.mul(z3));
            FloatVector lim = FloatVector.fromArray(FS, sl, o).fma(wwV, thrV);
            if (!wwV.sub(zz).compare(VectorOperators.LE, lim).anyTrue()) continue;
            fine4(w, wOff, o, cs, lanes);
            thrV = FloatVector.broadcast(FS, cs.thr);
        }
    }

    /**
     * Float error of the vector of offsets [o, o + lanes) for P ≤ 3: t* = pinv·w, quantise (exponent from the float bits),
     * ‖w − U t̂‖² summed directly; records the lanes within the threshold. Written out in one method (no vector-valued
     * helpers) so C2 keeps the vectors in registers; {@link #fine4} is the same for P = 4.
     */
    private void fine3(float[] w, int wOff, int o, Candidates cs, float[] lanes) {
        final int nPad = tab.nPad, c = this.c, p = this.p;
        final float[] pinv = tab.pinv, un = tab.unorm;
        final boolean rangeFilling = cfg.exponentRule() == ExponentRule.RANGE_FILLING;
        final IntVector one = IntVector.broadcast(IS, 1);
        FloatVector t0 = FloatVector.zero(FS), t1 = t0, t2 = t0;
        for (int j = 0; j < c; j++) {
            FloatVector wj = FloatVector.broadcast(FS, w[wOff + j]);
            t0 = FloatVector.fromArray(FS, pinv, j * nPad + o).fma(wj, t0);
            t1 = FloatVector.fromArray(FS, pinv, (c + j) * nPad + o).fma(wj, t1);
            t2 = FloatVector.fromArray(FS, pinv, (2 * c + j) * nPad + o).fma(wj, t2);
        }
        IntVector bits = t0.abs().max(t1.abs()).max(t2.abs()).reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        if (rangeFilling) e = e.sub(2).add(one, bits.and(0x7FFFFF).compare(VectorOperators.GT, 0x700000));
        e = e.max(CoefficientQuantizer.E_MIN).min(CoefficientQuantizer.E_MAX);
        FloatVector inv = IntVector.broadcast(IS, 127)
                .sub(e)
                .lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector scale = e.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector h0 = t0.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        FloatVector h1 = t1.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        FloatVector h2 = t2.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        // ‖w − U t̂‖² summed directly: quadratic forms cancel catastrophically in float when U is badly
        // conditioned (t* huge, or t̂ up to 7·2^7 in U's near-null space); the residual itself does not.
        FloatVector err = FloatVector.zero(FS);
        for (int j = 0; j < c; j++) {
            int u = o + 1 + j * p;
            FloatVector uh = FloatVector.fromArray(FS, un, u).mul(h0);
            if (p > 1) uh = FloatVector.fromArray(FS, un, u + 1).fma(h1, uh);
            if (p > 2) uh = FloatVector.fromArray(FS, un, u + 2).fma(h2, uh);
            FloatVector r = FloatVector.broadcast(FS, w[wOff + j]).sub(uh);
            err = r.fma(r, err);
        }
        if (err.compare(VectorOperators.LE, FloatVector.broadcast(FS, cs.thr)).anyTrue()) {
            err.intoArray(lanes, 0);
            record(cs, o, lanes);
        }
    }

    /** {@link #fine3} for 4 coefficient rows. */
    private void fine4(float[] w, int wOff, int o, Candidates cs, float[] lanes) {
        final int nPad = tab.nPad, c = this.c;
        final float[] pinv = tab.pinv, un = tab.unorm;
        final boolean rangeFilling = cfg.exponentRule() == ExponentRule.RANGE_FILLING;
        final IntVector one = IntVector.broadcast(IS, 1);
        FloatVector t0 = FloatVector.zero(FS), t1 = t0, t2 = t0, t3 = t0;
        for (int j = 0; j < c; j++) {
            FloatVector wj = FloatVector.broadcast(FS, w[wOff + j]);
            t0 = FloatVector.fromArray(FS, pinv, j * nPad + o).fma(wj, t0);
            t1 = FloatVector.fromArray(FS, pinv, (c + j) * nPad + o).fma(wj, t1);
            t2 = FloatVector.fromArray(FS, pinv, (2 * c + j) * nPad + o).fma(wj, t2);
            t3 = FloatVector.fromArray(FS, pinv, (3 * c + j) * nPad + o).fma(wj, t3);
        }
        IntVector bits = t0.abs().max(t1.abs()).max(t2.abs()).max(t3.abs()).reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        if (rangeFilling) e = e.sub(2).add(one, bits.and(0x7FFFFF).compare(VectorOperators.GT, 0x700000));
        e = e.max(CoefficientQuantizer.E_MIN).min(CoefficientQuantizer.E_MAX);
        FloatVector inv = IntVector.broadcast(IS, 127)
                .sub(e)
                .lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector scale = e.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector h0 = t0.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        FloatVector h1 = t1.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        FloatVector h2 = t2.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        FloatVector h3 = t3.mul(inv).max(-8f).min(7f).add(MAGIC).sub(MAGIC).mul(scale);
        FloatVector err = FloatVector.zero(FS);
        for (int j = 0; j < c; j++) {
            int u = o + 1 + j * 4;
            FloatVector uh = FloatVector.fromArray(FS, un, u)
                    .mul(h0)
                    .add(FloatVector.fromArray(FS, un, u + 1).mul(h1))
                    .add(FloatVector.fromArray(FS, un, u + 2).mul(h2))
                    .add(FloatVector.fromArray(FS, un, u + 3).mul(h3));
            FloatVector r = FloatVector.broadcast(FS, w[wOff + j]).sub(uh);
            err = r.fma(r, err);
        }
        if (err.compare(VectorOperators.LE, FloatVector.broadcast(FS, cs.thr)).anyTrue()) {
            err.intoArray(lanes, 0);
            record(cs, o, lanes);
        }
    }

    /** Slow path (rare): adds the lanes within the threshold as candidates. */
    private void record(Candidates cs, int o, float[] lanes) {
        for (int l = 0; l < lanes.length; l++) {
            if (o + l < tab.n && lanes[l] <= cs.thr) cs.add(o + l, lanes[l]);
        }
    }

    /** Exact double rescoring of the screened candidates. */
    private BlockResult rescore(double[] w, Candidates cs) {
        int bestO = -1, bestE = 0;
        double bestErr = Double.POSITIVE_INFINITY;
        int[] q = new int[p], bestQ = new int[p];
        double[] scratch = new double[p * c + p];
        for (int i = 0; i < cs.size; i++) {
            if (cs.err[i] > cs.thr) continue;
            int o = cs.off[i];
            int[] eOut = new int[1];
            double err = exactError(o, w, q, eOut, scratch);
            if (err < bestErr || err == bestErr && o < bestO) {
                bestErr = err;
                bestO = o;
                bestE = eOut[0];
                System.arraycopy(q, 0, bestQ, 0, p);
            }
        }
        if (bestO < 0)
            throw new IllegalStateException("seed screen found no candidate for block " + Arrays.toString(w));
        return new BlockResult(bestO, tab.seed(bestO), bestE, bestQ, bestErr);
    }

    /** Exhaustive search in double only (reference path for P > 4). */
    BlockResult exhaustiveDouble(float[] wf, int off) {
        double[] w = new double[c];
        for (int j = 0; j < c; j++) w[j] = wf[off + j];
        int bestO = -1, bestE = 0;
        double bestErr = Double.POSITIVE_INFINITY;
        int[] q = new int[p], bestQ = new int[p], eOut = new int[1];
        double[] scratch = new double[p * c + p];
        for (int o = 0; o < tab.n; o++) {
            double err = exactError(o, w, q, eOut, scratch);
            if (err < bestErr) {
                bestErr = err;
                bestO = o;
                bestE = eOut[0];
                System.arraycopy(q, 0, bestQ, 0, p);
            }
        }
        return new BlockResult(bestO, tab.seed(bestO), bestE, bestQ, bestErr);
    }

    /** ‖w − U(o)·t̂‖² in double with t̂ quantised from t* = pinv(U(o))·w; codes into q, exponent into e[0]. */
    double exactError(int o, double[] w, int[] q, int[] e, double[] scratch) {
        tab.pinvDouble(o, scratch);
        double[] t = new double[p];
        for (int i = 0; i < p; i++) {
            double s = 0;
            for (int j = 0; j < c; j++) s += scratch[i * c + j] * w[j];
            t[i] = s;
        }
        e[0] = CoefficientQuantizer.quantise(t, p, cfg.exponentRule(), q);
        double[] th = new double[p];
        for (int i = 0; i < p; i++) th[i] = CoefficientQuantizer.value(q[i], e[0]);
        double[] u = tab.u(o);
        double err = 0;
        for (int r = 0; r < c; r++) {
            double s = 0;
            for (int i = 0; i < p; i++) s += u[r * p + i] * th[i];
            double d = w[r] - s;
            err += d * d;
        }
        return err;
    }
}
