package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.engine.train.Parameter;
import dev.llmcw.engine.train.TrainableLinear;
import dev.llmcw.util.Parallel;
import java.util.List;

/**
 * A CALDERA layer whose BF16 adapter is trained: y = g · T_mᵀ·(F·x' + L_top·(R_top·x')), x' = T_n·x, with the
 * frozen part F = Q + L_rest·R_rest (decoded once, in the rotated, normalised domain) and the trainable
 * L_top (rows×f) and R_top (f×cols) held in float32 during training. Backward: with dy' = g·T_m·dy,
 * dL_top += dy'·(R_top·x')ᵀ, dR_top += (L_topᵀ·dy')·x'ᵀ and dx = T_nᵀ·(Fᵀ·dy' + R_topᵀ·L_topᵀ·dy'), cropped to
 * the input width. {@code dx} is overwritten; the parameter gradients accumulate.
 *
 * <p>With Hadamard the layer also holds the sign vectors as real-valued scales SU (input, stored cols) and SV
 * (output, rows) ({@link HadamardScales}): T_n = (H⊗B)·diag(d_n) becomes (H⊗B)·diag(SU) and T_mᵀ's final
 * diag(d_m) becomes diag(SV). They start as the file has them (the seeded signs, or stored scales) and are
 * trainable after {@link #trainingScales(boolean)}. Since d² = 1 the seeded transform runs unchanged on
 * (SU ⊙ d_n) ⊙ x, and its output is multiplied by SV ⊙ d_m; so dSV_i = Σ_b dy_bi·d_m,i·y⁰_bi (y⁰ the output
 * with the seeded signs) and dSU_c = Σ_b dx̃_bc·d_n,c·x_bc (dx̃ the gradient at the scaled input).
 */
public final class CalderaTrainableLinear implements TrainableLinear {
    private final int rows, cols, inCols, ft;
    private final float g;
    private final RandomizedHadamard tm, tn; // null without Hadamard
    private final float[] frozen; // rows×cols, Q + L_rest·R_rest
    private final Parameter lTop, rTop;
    private final Parameter su, sv; // null without Hadamard
    private final double[] dn, dm; // the seeded signs, null without Hadamard
    /** Whether SU/SV differ from the seeded signs (stored in the file or being trained): else skipped, as before. */
    private boolean scaled, trainScales;

    /** The stored matrix {@code s} (which must have an adapter) of weight {@code name}; {@code seed} regenerates T. */
    public static CalderaTrainableLinear of(String name, CalderaFormat.Stored s, long seed) {
        return of(name, s, seed, null);
    }

    /** As {@link #of(String, CalderaFormat.Stored, long)}, with the file's stored SU/SV (null: the seeded signs). */
    public static CalderaTrainableLinear of(
            String name, CalderaFormat.Stored s, long seed, HadamardScales storedScales) {
        if (s.adapter() == null)
            throw new IllegalArgumentException(
                    name + " has no 16-bit adapter (compress with ft_rank > 0 to fine-tune CALDERA factors)");
        double[] q = s.q().decode();
        float[] frozen = new float[s.rows() * s.cols()];
        int rest = s.quantizedRank();
        double[] l = rest > 0 ? s.l().decode() : null, r = rest > 0 ? s.r().decode() : null;
        Parallel.forRange(0, s.rows(), 8, i -> {
            for (int c = 0; c < s.cols(); c++) {
                double v = q[i * s.cols() + c];
                for (int k = 0; k < rest; k++) v += l[i * rest + k] * r[k * s.cols() + c];
                frozen[i * s.cols() + c] = (float) v;
            }
        });
        return new CalderaTrainableLinear(name, s, frozen, seed, storedScales);
    }

    private CalderaTrainableLinear(
            String name, CalderaFormat.Stored s, float[] frozen, long seed, HadamardScales stored) {
        this.rows = s.rows();
        this.cols = s.cols();
        this.inCols = s.inCols();
        this.ft = s.adapter().ftRank();
        this.g = s.g();
        this.tm = s.hadamard() ? Caldera.transform(seed, s.rows()) : null;
        this.tn = s.hadamard() ? Caldera.transform(seed, s.cols()) : null;
        this.frozen = frozen;
        this.lTop = new Parameter(name + ".Lft", s.adapter().l().values().clone());
        this.rTop = new Parameter(name + ".Rft", s.adapter().r().values().clone());
        if (tm != null) {
            var start = stored != null ? stored : HadamardScales.signsOf(tm, tn);
            su = new Parameter(name + "." + HadamardScales.SU, start.su().clone());
            sv = new Parameter(name + "." + HadamardScales.SV, start.sv().clone());
            dn = tn.signs();
            dm = tm.signs();
            scaled = stored != null;
        } else {
            su = sv = null;
            dn = dm = null;
        }
    }

    @Override
    public int inFeatures() {
        return inCols;
    }

    @Override
    public int outFeatures() {
        return rows;
    }

    /** Whether the layer has Hadamard sign vectors to train. */
    public boolean hasScales() {
        return su != null;
    }

    /**
     * Makes SU/SV trainable (part of {@link #parameters()}, with gradients) or frozen again (they keep their
     * values). Refused without Hadamard.
     */
    public CalderaTrainableLinear trainingScales(boolean on) {
        if (on && su == null) throw new IllegalStateException("a matrix compressed without Hadamard has no SU/SV");
        trainScales = on;
        scaled |= on;
        return this;
    }

    /** The SU/SV parameters (null without Hadamard). */
    public List<Parameter> scaleParameters() {
        return su == null ? List.of() : List.of(su, sv);
    }

    /** SU/SV rounded to F16 in place (what the file stores), so later training sees the stored values. */
    public void roundScalesToHalf() {
        for (Parameter p : scaleParameters()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) v[i] = HadamardScales.roundToHalf(v[i]);
        }
    }

    /** The scales to store: null while they are the seeded signs (the file then stays as it was). */
    public HadamardScales scales() {
        return scaled ? new HadamardScales(su.value().clone(), sv.value().clone()) : null;
    }

    @Override
    public List<Parameter> parameters() {
        return trainScales ? List.of(lTop, rTop, su, sv) : List.of(lTop, rTop);
    }

    /** The trained adapter rounded to BF16, as the CALDERA file stores it. */
    public CalderaAdapter adapter() {
        return new CalderaAdapter(
                ft,
                FloatQuantizer.of(rows, ft, 16, bf16(lTop.value())),
                FloatQuantizer.of(ft, cols, 16, bf16(rTop.value())));
    }

    private static float[] bf16(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = FloatQuantizer.round(v[i], 16);
        return out;
    }

    /** x zero-padded to the stored width. */
    private float[] padded(float[] x, int batch) {
        float[] xp = new float[batch * cols];
        for (int b = 0; b < batch; b++) System.arraycopy(x, b * inCols, xp, b * cols, inCols);
        return xp;
    }

    /** x' = T_n·(SU ⊙ d_n ⊙ x) of the padded x (just T_n·x while the scales are the signs). */
    private float[] rotated(float[] xp, int batch) {
        float[] xr = xp.clone();
        if (scaled) {
            float[] u = HadamardScales.relativeTo(su.value(), dn);
            for (int b = 0; b < batch; b++) for (int c = 0; c < cols; c++) xr[b * cols + c] *= u[c];
        }
        if (tn != null) {
            double[] work = new double[cols];
            for (int b = 0; b < batch; b++) tn.apply(xr, b * cols, work);
        }
        return xr;
    }

    /** z = R_top·x' per row of the batch (batch×f). */
    private float[] project(float[] xr, int batch) {
        float[] r = rTop.value(), z = new float[batch * ft];
        for (int b = 0; b < batch; b++)
            for (int k = 0; k < ft; k++) {
                double s = 0;
                for (int c = 0; c < cols; c++) s += r[k * cols + c] * xr[b * cols + c];
                z[b * ft + k] = (float) s;
            }
        return z;
    }

    @Override
    public void forward(float[] x, float[] y, int batch) {
        float[] y0 = seededOutput(rotated(padded(x, batch), batch), batch);
        if (!scaled) {
            System.arraycopy(y0, 0, y, 0, batch * rows);
            return;
        }
        float[] v = HadamardScales.relativeTo(sv.value(), dm);
        for (int b = 0; b < batch; b++) for (int i = 0; i < rows; i++) y[b * rows + i] = y0[b * rows + i] * v[i];
    }

    /** g · T_mᵀ·(F·x' + L_top·(R_top·x')): the output with the seeded output signs. */
    private float[] seededOutput(float[] xr, int batch) {
        float[] z = project(xr, batch), l = lTop.value();
        float[] yr = new float[batch * rows];
        Parallel.forRange(0, rows, 8, i -> {
            for (int b = 0; b < batch; b++) {
                double s = 0;
                for (int c = 0; c < cols; c++) s += frozen[i * cols + c] * xr[b * cols + c];
                for (int k = 0; k < ft; k++) s += l[i * ft + k] * z[b * ft + k];
                yr[b * rows + i] = (float) s;
            }
        });
        if (tm != null) {
            double[] work = new double[rows];
            for (int b = 0; b < batch; b++) tm.applyTranspose(yr, b * rows, work);
        }
        for (int i = 0; i < batch * rows; i++) yr[i] = g * yr[i];
        return yr;
    }

    @Override
    public void backward(float[] x, float[] dy, float[] dx, int batch) {
        float[] xp = padded(x, batch), xr = rotated(xp, batch);
        if (scaled) { // dy at the seeded output: SV ⊙ d_m ⊙ dy; dSV from the seeded output
            float[] v = HadamardScales.relativeTo(sv.value(), dm);
            if (trainScales) {
                float[] y0 = seededOutput(xr, batch), gv = sv.grad();
                for (int i = 0; i < rows; i++) {
                    double s = 0;
                    for (int b = 0; b < batch; b++) s += (double) dy[b * rows + i] * y0[b * rows + i];
                    gv[i] += (float) (s * dm[i]);
                }
            }
            float[] scaledDy = new float[batch * rows];
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < rows; i++) scaledDy[b * rows + i] = dy[b * rows + i] * v[i];
            dy = scaledDy;
        }
        float[] dxr = seededBackward(xr, dy, batch);
        if (scaled) { // dxr is the gradient at SU ⊙ d_n ⊙ x
            float[] u = HadamardScales.relativeTo(su.value(), dn);
            if (trainScales) {
                float[] gu = su.grad();
                for (int c = 0; c < cols; c++) {
                    double s = 0;
                    for (int b = 0; b < batch; b++) s += (double) dxr[b * cols + c] * xp[b * cols + c];
                    gu[c] += (float) (s * dn[c]);
                }
            }
            for (int b = 0; b < batch; b++) for (int c = 0; c < cols; c++) dxr[b * cols + c] *= u[c];
        }
        for (int b = 0; b < batch; b++) System.arraycopy(dxr, b * cols, dx, b * inCols, inCols);
    }

    /** The adapter's gradients from dy at the seeded output; returns the gradient at the rotation's input (padded). */
    private float[] seededBackward(float[] xr, float[] dy, int batch) {
        float[] z = project(xr, batch), l = lTop.value(), r = rTop.value();
        float[] dyr = new float[batch * rows];
        for (int i = 0; i < dyr.length; i++) dyr[i] = g * dy[i];
        if (tm != null) {
            double[] work = new double[rows];
            for (int b = 0; b < batch; b++) tm.apply(dyr, b * rows, work);
        }
        float[] dz = new float[batch * ft]; // L_topᵀ·dy'
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < rows; i++) {
                float d = dyr[b * rows + i];
                for (int k = 0; k < ft; k++) dz[b * ft + k] += l[i * ft + k] * d;
            }
        float[] gl = lTop.grad(), gr = rTop.grad();
        Parallel.forRange(0, rows, 8, i -> {
            for (int k = 0; k < ft; k++) {
                double s = 0;
                for (int b = 0; b < batch; b++) s += (double) dyr[b * rows + i] * z[b * ft + k];
                gl[i * ft + k] += (float) s;
            }
        });
        Parallel.forRange(0, ft, 1, k -> {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int b = 0; b < batch; b++) s += (double) dz[b * ft + k] * xr[b * cols + c];
                gr[k * cols + c] += (float) s;
            }
        });
        float[] dxr = new float[batch * cols];
        Parallel.forRange(0, batch, 1, b -> {
            double[] acc = new double[cols];
            for (int i = 0; i < rows; i++) {
                double d = dyr[b * rows + i];
                if (d == 0) continue;
                for (int c = 0; c < cols; c++) acc[c] += frozen[i * cols + c] * d;
            }
            for (int k = 0; k < ft; k++) {
                double d = dz[b * ft + k];
                for (int c = 0; c < cols; c++) acc[c] += r[k * cols + c] * d;
            }
            for (int c = 0; c < cols; c++) dxr[b * cols + c] = (float) acc[c];
        });
        if (tn != null) {
            double[] work = new double[cols];
            for (int b = 0; b < batch; b++) tn.applyTranspose(dxr, b * cols, work);
        }
        return dxr;
    }
}
