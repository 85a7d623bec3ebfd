package dev.llmcw.compress.awq;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.tensor.Half;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * AWQ's scale search (official {@code auto_scale.py}, algorithms.md "AWQ"): for α = 0, 1/n, …, (n−1)/n the
 * per-input-channel scales s = max(E|x|^α, 1e-4) / sqrt(max·min), then W·diag(s) is quantised by min–max
 * group RTN and divided by s again; the α whose quantised layers give the least output error on the
 * calibration activations wins. The linears that read one input (q/k/v, gate/up) share one s, as the
 * official code's scales folded into their common norm do.
 *
 * <p>Output error of a layer: ‖(Ŵ − W)·X‖² over the calibration tokens, computed from H = E[x·xᵀ] as
 * tr(ΔHΔᵀ) (the same number per token, without keeping X); summed over the group's linears. The official code
 * measures the error after the attention or MLP block instead (see docs/deviations.md).
 */
public final class AwqScaleSearch {
    /** The official grid: 20 values of α. */
    public static final int DEFAULT_GRID = 20;

    /** Floor of E|x|^α before normalisation (official {@code clamp(min=1e-4)}). */
    static final double MIN_SCALE = 1e-4;

    private AwqScaleSearch() {}

    /** The chosen α = best/grid, its scales and the output error of every α tried. */
    public record Result(int best, int grid, double[] scales, double[] losses) {
        public double alpha() {
            return (double) best / grid;
        }
    }

    /** A weight matrix of the group, rows × cols, row-major. */
    public record Weight(double[] w, int rows) {}

    /**
     * @param meanAbs E|x| per input channel
     * @param h       E[x·xᵀ] of the same inputs
     */
    public static Result search(
            List<Weight> weights, double[] meanAbs, DMatrixRMaj h, int bits, int groupSize, int grid) {
        if (grid < 1) throw new IllegalArgumentException("AWQ grid must be at least 1, got " + grid);
        int cols = meanAbs.length;
        if (h.numRows != cols || h.numCols != cols)
            throw new IllegalArgumentException("H is " + Dense.shape(h) + ", expected " + cols + "×" + cols);
        double[] losses = new double[grid];
        double bestLoss = Double.POSITIVE_INFINITY;
        int best = -1;
        double[] bestScales = null;
        for (int k = 0; k < grid; k++) {
            double[] s = scales(meanAbs, (double) k / grid);
            double loss = 0;
            for (Weight w : weights)
                loss += outputError(
                        w.w(), quantizeScaled(w.w(), w.rows(), cols, s, bits, groupSize), w.rows(), cols, h);
            losses[k] = loss;
            // strictly better only: ties keep the smaller α, as the official search does
            if (loss < bestLoss) {
                bestLoss = loss;
                best = k;
                bestScales = s;
            }
        }
        if (best < 0)
            throw new IllegalStateException(
                    "AWQ scale search found no finite output error (non-finite weights or activations)");
        return new Result(best, grid, bestScales, losses);
    }

    /**
     * s = max(E|x|^α, 1e-4) / sqrt(max(s)·min(s)), each rounded to FP16 because that is how the layer stores
     * it: the search then scores exactly the scales the file will hold.
     */
    public static double[] scales(double[] meanAbs, double alpha) {
        int n = meanAbs.length;
        double[] s = new double[n];
        double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            s[i] = Math.max(Math.pow(meanAbs[i], alpha), MIN_SCALE);
            max = Math.max(max, s[i]);
            min = Math.min(min, s[i]);
        }
        double norm = Math.sqrt(max * min);
        for (int i = 0; i < n; i++) s[i] = f16(s[i] / norm);
        return s;
    }

    static double f16(double v) {
        return Half.f16ToFloat(Half.floatToF16((float) v));
    }

    /** Q(W·diag(s))·diag(s)⁻¹ with a min–max asymmetric group grid: what the search scores. */
    static double[] quantizeScaled(double[] w, int rows, int cols, double[] s, int bits, int groupSize) {
        double[] ws = AwqQuantizer.scaleColumns(w, rows, cols, s);
        UniformGrid g = UniformGrid.fit(ws, rows, cols, bits, groupSize, false);
        double[] q = new double[ws.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) q[r * cols + c] = g.quantize(r, c, ws[r * cols + c]) / s[c];
        return q;
    }

    /** tr((Q − W)·H·(Q − W)ᵀ): the squared output error per calibration token. */
    public static double outputError(double[] w, double[] q, int rows, int cols, DMatrixRMaj h) {
        DMatrixRMaj d = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < d.data.length; i++) d.data[i] = q[i] - w[i];
        return Dense.traceQuad(d, h);
    }
}
