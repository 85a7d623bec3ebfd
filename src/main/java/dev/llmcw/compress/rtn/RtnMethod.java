package dev.llmcw.compress.rtn;

import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;

import java.util.LinkedHashMap;
import java.util.Map;

/** Group-wise round-to-nearest of the block linears (data-free baseline). */
public final class RtnMethod extends PerTensorCompression {
    private final int bits, groupSize;
    private final boolean symmetric;

    public RtnMethod(int bits, int groupSize, boolean symmetric) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("RTN bits must be 1..8, got " + bits);
        if (groupSize <= 0) throw new IllegalArgumentException("group size must be positive, got " + groupSize);
        this.bits = bits;
        this.groupSize = groupSize;
        this.symmetric = symmetric;
    }

    @Override public String name() { return "rtn"; }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bits", Integer.toString(bits));
        m.put("group", Integer.toString(groupSize));
        m.put("sym", Boolean.toString(symmetric));
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
    protected Outcome compressTensor(Model model, String name, float[] w, int rows, int cols, SafetensorsWriter part,
                                     ProgressListener progress, CancellationToken cancel) {
        double[] wd = new double[w.length];
        for (int i = 0; i < w.length; i++) wd[i] = w[i];
        var r = Rtn.quantize(wd, rows, cols, bits, groupSize, symmetric);
        QuantizerIO.writeScalar(part, name + ".rtn", r.grid(), r.codes());
        return new Outcome(relativeError(w, r.dequantize()), Double.NaN);
    }
}
