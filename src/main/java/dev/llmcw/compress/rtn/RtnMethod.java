package dev.llmcw.compress.rtn;

import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.WeightRotation;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.LinkedHashMap;
import java.util.Map;

/** Group-wise round-to-nearest of the block linears (data-free baseline). */
public final class RtnMethod extends PerTensorCompression {
    private final int bits, groupSize;
    private final boolean symmetric, mseClip, hadamard;

    public RtnMethod(int bits, int groupSize, boolean symmetric) {
        this(bits, groupSize, symmetric, false, false);
    }

    /**
     * @param mseClip  least-squared-error clipping of each group's range instead of min–max
     * @param hadamard quantise T_m·W·T_nᵀ ({@link WeightRotation}) instead of W
     */
    public RtnMethod(int bits, int groupSize, boolean symmetric, boolean mseClip, boolean hadamard) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("RTN bits must be 1..8, got " + bits);
        if (groupSize <= 0) throw new IllegalArgumentException("group size must be positive, got " + groupSize);
        this.bits = bits;
        this.groupSize = groupSize;
        this.symmetric = symmetric;
        this.mseClip = mseClip;
        this.hadamard = hadamard;
    }

    @Override
    public String name() {
        return "rtn";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bits", Integer.toString(bits));
        m.put("group", Integer.toString(groupSize));
        m.put("sym", Boolean.toString(symmetric));
        m.put("clip", mseClip ? "mse" : "none");
        m.put("hadamard", Boolean.toString(hadamard));
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
        WeightRotation rot = hadamard ? WeightRotation.of(WeightRotation.DEFAULT_SEED, rows, cols) : null;
        if (rot != null) rot.rotate(wd);
        var r = Rtn.quantize(wd, rows, cols, bits, groupSize, symmetric, mseClip);
        QuantizerIO.writeScalar(part, name + ".rtn", r.grid(), r.codes());
        if (rot != null) rot.write(part, name + ".rtn");
        double[] q = r.dequantize();
        if (rot != null) rot.unrotate(q);
        return new Outcome(relativeError(w, q), Double.NaN);
    }
}
