package dev.llmcw.compress.seedlm;

import dev.llmcw.engine.Parallel;
import dev.llmcw.util.CancellationToken;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Exhaustive seed search (algorithms.md §1): for every block w and every one of the 2^K − 1 seeds,
 * t* = pinv(U)·w, quantise, err = ‖w‖² − t*ᵀGt* + (t̂−t*)ᵀG(t̂−t*); keep the least error.
 *
 * <p>Two stages. (1) A float screen vectorised across seeds (one SIMD lane per seed, structure-of-arrays
 * tables), with the lower bound ‖w‖² − t*ᵀGt* pruning whole vectors of seeds, records every seed whose
 * float error is within a small margin of the running best. (2) Those candidates are rescored exactly in
 * double (t* from the double pseudo-inverse, quantisation in double, err = ‖w − U t̂‖² summed directly);
 * the least double error wins, ties going to the lowest offset. The result therefore equals the exhaustive
 * double-precision optimum unless a float error is off by more than the margin (possible only for a t*
 * within float rounding of a quantisation midpoint); the exactness tests check it against brute force and
 * against the numpy reference. Seeds are tiled in chunks that stay in L2 while a batch of blocks runs.
 */
public final class SeedSearch {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = FS.vectorShape().withLanes(int.class);
    private static final float MAGIC = 12582912f; // 1.5·2^23: (x + M) − M rounds |x| < 2^22 to nearest even
    private static final double REL_MARGIN = 2e-5, ABS_MARGIN = 2e-6;
    private static final int BATCH = 64;

    private final SeedLmConfig cfg;
    private final SeedTables tab;
    private final int c, p, chunk;

    /** Result of one block. */
    public record BlockResult(int offset, int seed, int exponent, int[] codes, double error) {}

    public SeedSearch(SeedLmConfig cfg) {
        this.cfg = cfg;
        this.tab = SeedTables.of(cfg.c(), cfg.p(), cfg.k());
        this.c = cfg.c();
        this.p = cfg.p();
        int bytesPerSeed = 4 * (p * c + tab.pairs);
        this.chunk = Math.max(FS.length(), Math.min(tab.nPad, (384 << 10) / bytesPerSeed / FS.length() * FS.length()));
    }

    public SeedLmConfig config() { return cfg; }

    /** Register state of a search offset. */
    public int seedOf(int offset) { return tab.seed(offset); }

    /**
     * Searches blocks [0, nBlocks) of {@code w} (block b at w[b·C .. b·C+C)), all cores. Writes the seed state,
     * exponent and codes (P per block) of each block; returns the squared errors. {@code done} is told the
     * number of blocks finished after each batch; cancellation is checked per batch.
     */
    public double[] search(float[] w, int nBlocks, int[] seeds, byte[] exps, byte[] codes,
                           CancellationToken cancel, IntConsumer done) {
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

        Candidates(float ww) { this.ww = ww; }

        void add(int o, float e) {
            if (size == off.length) {
                off = Arrays.copyOf(off, size * 2);
                err = Arrays.copyOf(err, size * 2);
            }
            off[size] = o;
            err[size++] = e;
            if (e < best) {
                best = e;
                thr = (float) (best + REL_MARGIN * best + ABS_MARGIN * ww);
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
        for (int o0 = 0; o0 < tab.nPad; o0 += chunk) {
            int o1 = Math.min(tab.nPad, o0 + chunk);
            for (int b = 0; b < nb; b++) {
                if (cand[b].ww == 0f) continue;
                screen(w, (b0 + b) * c, o0, o1, cand[b], lanes);
            }
        }
        double[] wd = new double[c];
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < c; j++) wd[j] = w[(b0 + b) * c + j];
            out[b] = cand[b].ww == 0f ? zeroBlock() : rescore(wd, cand[b]);
        }
        return out;
    }

    private BlockResult zeroBlock() {
        return new BlockResult(0, tab.seed(0), CoefficientQuantizer.E_MIN, new int[p], 0.0);
    }

    /** Float screen of offsets [o0, o1) for the block at w[wOff..]: records candidates into {@code cs}. */
    private void screen(float[] w, int wOff, int o0, int o1, Candidates cs, float[] lanes) {
        final int nPad = tab.nPad, c = this.c, p = this.p;
        final float[] pinv = tab.pinv, g = tab.gram;
        final boolean printed = cfg.exponentRule() == ExponentRule.PRINTED;
        final FloatVector zero = FloatVector.zero(FS);
        final FloatVector wwV = FloatVector.broadcast(FS, cs.ww);
        FloatVector thrV = FloatVector.broadcast(FS, cs.thr);
        for (int o = o0; o < o1; o += FS.length()) {
            FloatVector t0 = zero, t1 = zero, t2 = zero, t3 = zero;
            for (int j = 0; j < c; j++) {
                FloatVector wj = FloatVector.broadcast(FS, w[wOff + j]);
                t0 = FloatVector.fromArray(FS, pinv, j * nPad + o).fma(wj, t0);
                if (p > 1) t1 = FloatVector.fromArray(FS, pinv, (c + j) * nPad + o).fma(wj, t1);
                if (p > 2) t2 = FloatVector.fromArray(FS, pinv, (2 * c + j) * nPad + o).fma(wj, t2);
                if (p > 3) t3 = FloatVector.fromArray(FS, pinv, (3 * c + j) * nPad + o).fma(wj, t3);
            }
            FloatVector lb = wwV.sub(quad(g, nPad, o, p, t0, t1, t2, t3));
            if (!lb.compare(VectorOperators.LE, thrV).anyTrue()) continue; // no seed here can beat the best
            FloatVector m = t0.abs();
            if (p > 1) m = m.max(t1.abs());
            if (p > 2) m = m.max(t2.abs());
            if (p > 3) m = m.max(t3.abs());
            IntVector bits = m.reinterpretAsInts();
            IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
            if (!printed) {
                VectorMask<Integer> up = bits.and(0x7FFFFF).compare(VectorOperators.GT, 0x700000);
                e = e.sub(2).add(IntVector.broadcast(IS, 1), up);
            }
            e = e.max(CoefficientQuantizer.E_MIN).min(CoefficientQuantizer.E_MAX);
            FloatVector inv = e.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector scale = e.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector d0 = residual(t0, inv, scale);
            FloatVector d1 = p > 1 ? residual(t1, inv, scale) : zero;
            FloatVector d2 = p > 2 ? residual(t2, inv, scale) : zero;
            FloatVector d3 = p > 3 ? residual(t3, inv, scale) : zero;
            FloatVector err = lb.add(quad(g, nPad, o, p, d0, d1, d2, d3));
            VectorMask<Float> hit = err.compare(VectorOperators.LE, thrV);
            if (hit.anyTrue()) {
                err.intoArray(lanes, 0);
                for (int l = 0; l < lanes.length; l++) {
                    if (o + l < tab.n && lanes[l] <= cs.thr) cs.add(o + l, lanes[l]);
                }
                thrV = FloatVector.broadcast(FS, cs.thr);
            }
        }
    }

    /** q·2^e − t with q = clip(rint(t·2^−e)). */
    private static FloatVector residual(FloatVector t, FloatVector inv, FloatVector scale) {
        FloatVector q = t.mul(inv).max(CoefficientQuantizer.Q_MIN).min(CoefficientQuantizer.Q_MAX).add(MAGIC).sub(MAGIC);
        return q.mul(scale).sub(t);
    }

    /** xᵀGx with the doubled off-diagonal table. */
    private static FloatVector quad(float[] g, int nPad, int o, int p, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        FloatVector g00 = FloatVector.fromArray(FS, g, o);
        if (p == 1) return g00.mul(x0).mul(x0);
        // pair order: (0,0) (0,1) .. (0,p-1) (1,1) .. (1,p-1) ...
        if (p == 2) {
            FloatVector r0 = g00.mul(x0).add(FloatVector.fromArray(FS, g, nPad + o).mul(x1));
            return r0.mul(x0).add(FloatVector.fromArray(FS, g, 2 * nPad + o).mul(x1).mul(x1));
        }
        if (p == 3) {
            FloatVector r0 = g00.mul(x0).add(FloatVector.fromArray(FS, g, nPad + o).mul(x1)).add(FloatVector.fromArray(FS, g, 2 * nPad + o).mul(x2));
            FloatVector r1 = FloatVector.fromArray(FS, g, 3 * nPad + o).mul(x1).add(FloatVector.fromArray(FS, g, 4 * nPad + o).mul(x2));
            FloatVector r2 = FloatVector.fromArray(FS, g, 5 * nPad + o).mul(x2);
            return r0.mul(x0).add(r1.mul(x1)).add(r2.mul(x2));
        }
        FloatVector r0 = g00.mul(x0).add(FloatVector.fromArray(FS, g, nPad + o).mul(x1))
                .add(FloatVector.fromArray(FS, g, 2 * nPad + o).mul(x2)).add(FloatVector.fromArray(FS, g, 3 * nPad + o).mul(x3));
        FloatVector r1 = FloatVector.fromArray(FS, g, 4 * nPad + o).mul(x1).add(FloatVector.fromArray(FS, g, 5 * nPad + o).mul(x2))
                .add(FloatVector.fromArray(FS, g, 6 * nPad + o).mul(x3));
        FloatVector r2 = FloatVector.fromArray(FS, g, 7 * nPad + o).mul(x2).add(FloatVector.fromArray(FS, g, 8 * nPad + o).mul(x3));
        FloatVector r3 = FloatVector.fromArray(FS, g, 9 * nPad + o).mul(x3);
        return r0.mul(x0).add(r1.mul(x1)).add(r2.mul(x2)).add(r3.mul(x3));
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
