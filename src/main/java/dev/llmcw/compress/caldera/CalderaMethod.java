package dev.llmcw.compress.caldera;

import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.calibration.HessianSet;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** CALDERA over the block linears of a model, with calibration statistics from the original model. */
public final class CalderaMethod extends PerTensorCompression {
    private final CalderaOptions options;
    private final CalibrationSpec calibration;
    private HessianSet hessians;
    private final Map<String, PreparedHessian> prepared = new HashMap<>();

    public CalderaMethod(CalderaOptions options, CalibrationSpec calibration) {
        this.options = options;
        this.calibration = calibration;
    }

    public CalderaOptions options() { return options; }

    @Override public String name() { return "caldera"; }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>(options.asMap());
        m.put("calibration", calibration.describe());
        m.put("lplr_root", "cholesky");
        m.put("hadamard_odd_block", "random-orthogonal");
        return m;
    }

    @Override
    protected String convention() {
        return "B_Q + B_LR·k·(m+n)/(m·n) + per-row FP16 scale and zero (scalar grids) or one F32 scale per "
                + "matrix (E8P) + one F32 RMS scale per matrix; Hadamard transforms regenerated from a seed (0 bits)";
    }

    @Override
    protected long tensorBits(int rows, int cols) {
        int k = options.rank();
        long bits = options.quantizer().equals("e8p") ? (long) rows * cols * 2 + 32
                : QuantizerIO.scalarBits(rows, cols, options.qBits(), cols, false);
        if (k > 0) bits += factorBits(rows, k) + factorBits(k, cols);
        return bits + 32 + 4 * 32; // RMS scale, the 4-int tensor header
    }

    private long factorBits(int rows, int cols) {
        int b = options.lrBits();
        if (b == 16 || b == 32) return (long) rows * cols * b;
        if (options.latticeFactors()) return (long) rows * cols * b + 32;
        return QuantizerIO.scalarBits(rows, cols, b, cols, false);
    }

    @Override
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        hessians = calibration.obtain(model, progress, cancel);
    }

    @Override
    protected Outcome compressTensor(Model model, String name, float[] w, int rows, int cols, SafetensorsWriter part,
                                     ProgressListener progress, CancellationToken cancel) {
        String key = HessianSet.groupKey(name);
        PreparedHessian ph = prepared.get(key);
        if (ph == null) {
            prepared.clear(); // groups come in order: keep only the current one in memory
            ph = Caldera.prepare(hessians.forWeight(name).regularisedForCaldera(), options);
            prepared.put(key, ph);
        }
        int k = Math.min(options.rank(), Math.min(rows, cols));
        CalderaOptions o = k == options.rank() ? options : new CalderaOptions(options.qBits(), options.lrBits(), k,
                options.outerIters(), options.innerIters(), options.hadamard(), options.quantizer(), options.seed(), options.exactSvd());
        CalderaResult r = Caldera.decompose(w, rows, cols, ph, o, name, progress, cancel);
        write(part, name, r);
        progress.log(String.format("%s: %s, activation error %.5f (best of %d at %d), frobenius %.5f, %.1fs",
                name, r.quantizerLabel(), r.activationError(), r.history().size(), r.bestIteration() + 1, r.frobeniusError(), r.seconds()));
        return new Outcome(r.frobeniusError(), r.activationError());
    }

    public static void write(SafetensorsWriter part, String name, CalderaResult r) {
        String p = name + ".caldera.";
        part.addInts(p + "info", new long[]{4}, new int[]{r.rows(), r.cols(), r.options().rank(), r.hadamard() ? 1 : 0});
        part.add(p + "g", DType.F32, new long[]{1}, new float[]{(float) r.scale()});
        QuantizerIO.write(part, p + "Q", r.qQuant());
        if (r.lQuant() != null) {
            QuantizerIO.write(part, p + "L", r.lQuant());
            QuantizerIO.write(part, p + "R", r.rQuant());
        }
    }
}
