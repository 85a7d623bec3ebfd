package dev.llmcw.compress.gptq;

import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.calibration.HessianSet;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.WeightRotation;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** GPTQ of the block linears with calibration statistics from the original model; stored like RTN. */
public final class GptqMethod extends PerTensorCompression {
    private final int bits, groupSize;
    private final boolean symmetric, actOrder, mseClip, hadamard;
    private final double damp;
    private final CalibrationSpec calibration;
    private HessianSet hessians;

    public GptqMethod(
            int bits, int groupSize, boolean symmetric, boolean actOrder, double damp, CalibrationSpec calibration) {
        this(bits, groupSize, symmetric, actOrder, damp, false, false, calibration);
    }

    /**
     * @param mseClip  least-squared-error clipping of each group's range instead of min–max
     * @param hadamard quantise T_m·W·T_nᵀ with H rotated alike ({@link WeightRotation}) instead of W
     */
    public GptqMethod(
            int bits,
            int groupSize,
            boolean symmetric,
            boolean actOrder,
            double damp,
            boolean mseClip,
            boolean hadamard,
            CalibrationSpec calibration) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("GPTQ bits must be 1..8, got " + bits);
        if (groupSize <= 0) throw new IllegalArgumentException("group size must be positive, got " + groupSize);
        this.bits = bits;
        this.groupSize = groupSize;
        this.symmetric = symmetric;
        this.actOrder = actOrder;
        this.damp = damp;
        this.calibration = calibration;
        this.mseClip = mseClip;
        this.hadamard = hadamard;
    }

    @Override
    public String name() {
        return "gptq";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bits", Integer.toString(bits));
        m.put("group", Integer.toString(groupSize));
        m.put("sym", Boolean.toString(symmetric));
        m.put("act_order", Boolean.toString(actOrder));
        m.put("damp", Double.toString(damp));
        m.put("clip", mseClip ? "mse" : "none");
        m.put("hadamard", Boolean.toString(hadamard));
        m.put("calibration", calibration.describe());
        return m;
    }

    @Override
    protected long tensorBits(int rows, int cols) {
        return QuantizerIO.scalarBits(rows, cols, bits, groupSize, symmetric);
    }

    @Override
    protected String convention() {
        return QuantizerIO.scalarConvention(symmetric);
    }

    @Override
    protected CalibrationSpec calibrationSpec() {
        return calibration;
    }

    @Override
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        hessians = calibration.obtain(model, progress, cancel);
    }

    @Override
    protected Outcome compressTensor(
            Model model,
            String name,
            float[] w,
            int rows,
            int cols,
            SafetensorsWriter part,
            ProgressListener progress,
            CancellationToken cancel) {
        double[] wd = new double[w.length];
        for (int i = 0; i < w.length; i++) wd[i] = w[i];
        var acc = hessians.forWeight(name);
        var h = acc.forGptq();
        WeightRotation rot = hadamard ? WeightRotation.of(WeightRotation.DEFAULT_SEED, rows, cols) : null;
        if (rot != null) {
            rot.rotate(wd);
            h = rot.rotateInputs(h);
        }
        var r = Gptq.quantize(
                wd,
                rows,
                cols,
                h,
                new Gptq.Options(bits, groupSize, symmetric, actOrder, damp, null, null, mseClip),
                cancel);
        QuantizerIO.writeScalar(part, name + ".gptq", r.grid(), r.codes());
        if (rot != null) rot.write(part, name + ".gptq");
        double[] q = r.dequantize();
        if (rot != null) rot.unrotate(q);
        return new Outcome(relativeError(w, q), relativeActivationError(w, q, rows, cols, acc.mean()));
    }
}
