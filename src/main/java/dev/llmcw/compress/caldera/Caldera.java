package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.compress.quant.BlockQuantizer;
import dev.llmcw.compress.quant.E8PQuantizer;
import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.compress.quant.Ldlq;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.TensorScalarQuantizer;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * CALDERA on one weight matrix (algorithms.md §2): W ≈ Q + L·R minimising tr((Ŵ−W)·H·(Ŵ−W)ᵀ), with
 * RMS scaling, optional randomised Hadamard incoherence, alternating LR steps (LPLR closed form, then
 * quantised-factor refinement) and Q steps (LDLQ), keeping the best iterate.
 */
public final class Caldera {
    private Caldera() {}

    /** The transforms of an m×n matrix: output side seeded by (seed, m), input side by (seed, n). */
    public static RandomizedHadamard transform(long seed, int size) {
        return RandomizedHadamard.seeded(seed, size);
    }

    /** Prepares a regularised H for matrices with {@code n} inputs under {@code options}. */
    public static PreparedHessian prepare(DMatrixRMaj regularisedH, CalderaOptions options) {
        int n = regularisedH.numRows;
        return new PreparedHessian(regularisedH, options.hadamard() ? transform(options.seed(), n) : null);
    }

    public static CalderaResult decompose(
            float[] w,
            int m,
            int n,
            PreparedHessian ph,
            CalderaOptions o,
            String name,
            ProgressListener progress,
            CancellationToken cancel) {
        double[] wd = new double[w.length];
        for (int i = 0; i < w.length; i++) wd[i] = w[i];
        return decompose(wd, m, n, ph, o, name, progress, cancel);
    }

    public static CalderaResult decompose(
            double[] w0,
            int m,
            int n,
            PreparedHessian ph,
            CalderaOptions o,
            String name,
            ProgressListener progress,
            CancellationToken cancel) {
        if (ph.size() != n)
            throw new IllegalArgumentException(
                    name + ": H is " + ph.size() + "×" + ph.size() + " but W has " + n + " columns");
        if (o.rank() > Math.min(m, n))
            throw new IllegalArgumentException(name + ": rank " + o.rank() + " exceeds min(" + m + ", " + n + ")");
        if (progress == null) progress = ProgressListener.NONE;
        long t0 = System.nanoTime();
        // 1. RMS scaling.
        double ss = 0;
        for (double v : w0) ss += v * v;
        double g = (float) Math.sqrt(ss / w0.length); // stored as F32
        if (g == 0) g = 1;
        DMatrixRMaj w = new DMatrixRMaj(m, n);
        for (int i = 0; i < w0.length; i++) w.data[i] = w0[i] / g;
        // 2. Incoherence.
        RandomizedHadamard tm = null;
        if (ph.transform != null) {
            tm = transform(o.seed(), m);
            RandomizedHadamard.rotateWeight(w, tm, ph.transform);
        }
        double denom = Dense.frobSq(Dense.multLower(w, ph.chol)); // tr(WHWᵀ) = ‖W·C‖²

        DMatrixRMaj q = new DMatrixRMaj(m, n);
        Best best = null;
        List<Double> history = new ArrayList<>();
        int k = o.rank();
        boolean qFirst = k > 0 && CalderaOptions.Q_FIRST.equals(o.updateOrder());
        // The official code scores the state after every step once both parts have been updated: with the
        // downdate, Q leaves the directions of L·R to the next LR step, so the state after it is the one that
        // counts. The plain LR-first setting scores after the Q step only, as every record before these knobs.
        boolean everyStep = qFirst || o.hessianDowndate();
        boolean qDone = false;
        LrPair lr = null;
        BlockQuantizer qq = null;
        for (int it = 0; it < (k == 0 ? 1 : o.outerIters()); it++) {
            if (cancel != null) cancel.throwIfCancelled();
            for (int step = 0; step < 2; step++) {
                boolean lrStep = (step == 0) != qFirst;
                double err;
                if (lrStep) {
                    if (k == 0) continue;
                    DMatrixRMaj a = w.copy();
                    CommonOps_DDRM.subtractEquals(a, q);
                    lr = lrStep(a, ph, o, it);
                    if (!qDone || !everyStep) continue;
                    CommonOps_DDRM.subtractEquals(a, lr.product);
                    err = Math.sqrt(Dense.frobSq(Dense.multLower(a, ph.chol)) / denom);
                } else {
                    QStep qs = qStep(w, lr, ph, o, it, cancel);
                    qq = qs.quantizer;
                    q = qs.q;
                    qDone = true;
                    if (k > 0 && lr == null) continue; // Q first: no L·R yet
                    err = Math.sqrt(qs.loss / denom);
                }
                history.add(err);
                progress.update(
                        "caldera " + name,
                        it + 1,
                        k == 0 ? 1 : o.outerIters(),
                        String.format("iteration %d: relative activation error %.5f", it + 1, err));
                if (best == null || err < best.err) best = new Best(err, history.size() - 1, qq, q.copy(), lr);
            }
        }
        DMatrixRMaj approx = best.q.copy();
        if (best.lr != null) CommonOps_DDRM.addEquals(approx, best.lr.product);
        // Frobenius error in the original domain equals the rotated one (orthonormal transforms).
        DMatrixRMaj d = approx.copy();
        CommonOps_DDRM.subtractEquals(d, w);
        double frob = Math.sqrt(Dense.frobSq(d) / Dense.frobSq(w));
        return new CalderaResult(
                name,
                m,
                n,
                o,
                g,
                tm != null,
                best.q,
                best.qQuant,
                best.lr == null ? null : best.lr.lQuant,
                best.lr == null ? null : best.lr.rQuant,
                best.lr == null ? null : best.lr.l,
                best.lr == null ? null : best.lr.r,
                best.err,
                frob,
                best.iteration,
                List.copyOf(history),
                (System.nanoTime() - t0) / 1e9);
    }

    private record Best(double err, int iteration, BlockQuantizer qQuant, DMatrixRMaj q, LrPair lr) {}

    /** Q, its quantiser, and tr((Q − target)·H·(Q − target)ᵀ) against the undowndated H. */
    private record QStep(DMatrixRMaj q, BlockQuantizer quantizer, double loss) {}

    /**
     * Q step: LDLQ of the residual W − L·R ({@code lr} null: W). Its proxy loss tr((Q − target)·H·(Q − target)ᵀ)
     * is the activation error of Q + L·R against W. Without the downdate LDLQ runs with the group's cached LDL
     * factor and its own loss; with it, on H downdated by L·R ({@link HessianDowndate}), and the loss is
     * measured against the real H, as the official code scores every iterate with the original H.
     */
    private static QStep qStep(
            DMatrixRMaj w, LrPair lr, PreparedHessian ph, CalderaOptions o, int it, CancellationToken cancel) {
        int m = w.numRows, n = w.numCols;
        DMatrixRMaj target = w.copy();
        if (lr != null) CommonOps_DDRM.subtractEquals(target, lr.product);
        BlockQuantizer qq = backboneQuantizer(target.data, m, n, o);
        if (!o.hessianDowndate() || lr == null) {
            Ldlq.Result r = Ldlq.quantize(target.data, m, n, ph.ldl(qq.blockSize()), qq, cancel);
            return new QStep(DMatrixRMaj.wrap(m, n, r.q()), qq, r.loss());
        }
        DMatrixRMaj h = HessianDowndate.apply(ph, lr.product, o.rank(), o.exactSvd(), o.seed() + 17L * it + 1);
        Ldlq.Result r = Ldlq.quantize(target.data, m, n, Ldlq.factor(h, qq.blockSize()), qq, cancel);
        DMatrixRMaj q = DMatrixRMaj.wrap(m, n, r.q());
        DMatrixRMaj d = q.copy();
        CommonOps_DDRM.subtractEquals(d, target);
        return new QStep(q, qq, Dense.frobSq(Dense.multLower(d, ph.chol)));
    }

    /** Quantised factors with their reconstructions and product. */
    record LrPair(
            DMatrixRMaj l,
            DMatrixRMaj r,
            DMatrixRMaj product,
            BlockQuantizer lQuant,
            BlockQuantizer rQuant,
            double err) {}

    /**
     * LR step: LPLR closed form {@code L = U_k, R = Σ_k·B_kᵀ·C⁻¹} from the SVD of {@code Y = A·C}; for
     * quantised factors, alternately L ← argmin ‖(A − L·R)·C‖ then quantise, R ← L⁺·A then quantise,
     * keeping the best pair.
     */
    static LrPair lrStep(DMatrixRMaj a, PreparedHessian ph, CalderaOptions o, int outerIter) {
        int m = a.numRows, n = a.numCols, k = o.rank();
        // Everything below needs A only through Y = A·C (H = C·Cᵀ): tr(AHAᵀ) = ‖Y‖², A·H·Rᵀ = Y·(R·C)ᵀ,
        // R·H·Rᵀ = (R·C)·(R·C)ᵀ; so the m×n×n product A·H is never formed.
        DMatrixRMaj y = Dense.multLower(a, ph.chol);
        DMatrixRMaj[] closed = lplrFromY(y, ph, k, o.exactSvd(), o.seed() + 17L * outerIter);
        DMatrixRMaj l0 = closed[0], r0 = closed[1];
        double aha = Dense.frobSq(y);

        BlockQuantizer lq0 = factorQuantizer(l0.data, m, k, o), rq0 = factorQuantizer(r0.data, k, n, o);
        DMatrixRMaj lq = DMatrixRMaj.wrap(m, k, lq0.quantizeAll(l0.data, m, k));
        DMatrixRMaj rq = DMatrixRMaj.wrap(k, n, rq0.quantizeAll(r0.data, k, n));
        Moments mom = Moments.of(rq, ph.chol, y);
        double err = mom.error(lq, aha);
        LrPair best = new LrPair(lq, rq, null, lq0, rq0, err);
        if (!(o.lrBits() == 16 || o.lrBits() == 32)) {
            Moments mr = Moments.of(r0, ph.chol, y);
            for (int it = 0; it < o.innerIters(); it++) {
                // L = (A H Rᵀ)(R H Rᵀ)⁻¹ : least squares in the H-norm for fixed R.
                DMatrixRMaj l = solveRight(mr.ahrt, mr.rhrt);
                BlockQuantizer lQ = factorQuantizer(l.data, m, k, o);
                DMatrixRMaj lqi = DMatrixRMaj.wrap(m, k, lQ.quantizeAll(l.data, m, k));
                // R = L⁺ A (the H-weighted least squares for fixed full-rank H).
                DMatrixRMaj ltl = Dense.multTransA(lqi, lqi);
                DMatrixRMaj lta = Dense.multTransA(lqi, a);
                DMatrixRMaj rr = solveLeft(ltl, lta);
                BlockQuantizer rQ = factorQuantizer(rr.data, k, n, o);
                DMatrixRMaj rqi = DMatrixRMaj.wrap(k, n, rQ.quantizeAll(rr.data, k, n));
                mr = Moments.of(rqi, ph.chol, y);
                double e = mr.error(lqi, aha);
                if (e < best.err) best = new LrPair(lqi, rqi, null, lQ, rQ, e);
            }
        }
        return new LrPair(best.l, best.r, Dense.mult(best.l, best.r), best.lQuant, best.rQuant, best.err);
    }

    /**
     * The rank-k minimiser of ‖(A − L·R)·H^{1/2}‖_F: with Y = A·C (C the Cholesky factor of H) and its
     * SVD Y = U·Σ·Bᵀ, {@code L = U_k}, {@code R = Σ_k·B_kᵀ·C⁻¹}. Returns {L (m×k), R (k×n)}.
     */
    static DMatrixRMaj[] lplrClosedForm(DMatrixRMaj a, PreparedHessian ph, int k, boolean exact, long seed) {
        return lplrFromY(Dense.multLower(a, ph.chol), ph, k, exact, seed);
    }

    /** {@link #lplrClosedForm} given Y = A·C. */
    private static DMatrixRMaj[] lplrFromY(DMatrixRMaj y, PreparedHessian ph, int k, boolean exact, long seed) {
        int n = y.numCols;
        var svd = Dense.topK(y, k, exact, 4, seed);
        // R = Σ_k B_kᵀ C⁻¹, i.e. Rᵀ = C⁻ᵀ (B_k Σ_k): a triangular solve with k right-hand sides.
        DMatrixRMaj bs = svd.v().copy(); // n×k
        for (int j = 0; j < n; j++) for (int i = 0; i < k; i++) bs.data[j * k + i] *= svd.s()[i];
        return new DMatrixRMaj[] {svd.u(), Dense.transpose(Dense.solveLowerTransposed(ph.chol, bs))};
    }

    /** R·H·Rᵀ and A·H·Rᵀ for a fixed R, from R·C and Y = A·C: the error of any L against A follows from them. */
    private record Moments(DMatrixRMaj rhrt, DMatrixRMaj ahrt) {
        static Moments of(DMatrixRMaj r, DMatrixRMaj chol, DMatrixRMaj y) {
            DMatrixRMaj rc = Dense.multLower(r, chol);
            return new Moments(Dense.multTransB(rc, rc), Dense.multTransB(y, rc));
        }

        /** tr((A−LR)H(A−LR)ᵀ) = tr(AHAᵀ) − 2⟨L, AHRᵀ⟩ + ⟨LᵀL, RHRᵀ⟩. */
        double error(DMatrixRMaj l, double aha) {
            DMatrixRMaj ltl = Dense.multTransA(l, l);
            return aha
                    - 2 * Dense.dot(l.data, 0, ahrt.data, 0, l.data.length)
                    + Dense.dot(ltl.data, 0, rhrt.data, 0, ltl.data.length);
        }
    }

    /** X with X·S = B for symmetric positive (semi)definite k×k S (pseudo-inverse when singular). */
    private static DMatrixRMaj solveRight(DMatrixRMaj b, DMatrixRMaj s) {
        DMatrixRMaj sInv = new DMatrixRMaj(s.numRows, s.numCols);
        CommonOps_DDRM.pinv(s, sInv);
        return Dense.mult(b, sInv);
    }

    private static DMatrixRMaj solveLeft(DMatrixRMaj s, DMatrixRMaj b) {
        DMatrixRMaj sInv = new DMatrixRMaj(s.numRows, s.numCols);
        CommonOps_DDRM.pinv(s, sInv);
        return Dense.mult(sInv, b);
    }

    static BlockQuantizer backboneQuantizer(double[] target, int m, int n, CalderaOptions o) {
        if (o.quantizer().equals("e8p")) return E8PQuantizer.forMatrix(target, m, n, 1);
        return new ScalarBlockQuantizer(UniformGrid.fitClipped(target, m, n, o.qBits(), 0, false));
    }

    static BlockQuantizer factorQuantizer(double[] values, int rows, int cols, CalderaOptions o) {
        if (o.lrBits() == 16 || o.lrBits() == 32) return new FloatQuantizer(rows, cols, o.lrBits());
        if (o.latticeFactors()) return E8PQuantizer.forMatrix(values, rows, cols, o.lrBits() / 2);
        return switch (o.lrGrid()) {
            case CalderaOptions.TENSOR -> new TensorScalarQuantizer(values, rows, cols, o.lrBits());
            case CalderaOptions.GROUP ->
                new ScalarBlockQuantizer(UniformGrid.fitClipped(values, rows, cols, o.lrBits(), o.lrGroup(), false));
            default -> new ScalarBlockQuantizer(UniformGrid.fitClipped(values, rows, cols, o.lrBits(), 0, false));
        };
    }
}
