package dev.llmcw.compress.toy;

import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.Map;

/** A toy method for the registry test: every weight rounded to a multiple of {@code step}, stored as F32. */
final class ToyRoundMethod extends PerTensorCompression {
    static final String PART = ".toyround.w";
    private final double step;

    ToyRoundMethod(double step) {
        this.step = step;
    }

    @Override
    public String name() {
        return ToyRoundDescriptor.ID;
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("step", Double.toString(step));
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
        float[] q = new float[w.length];
        for (int i = 0; i < w.length; i++) q[i] = (float) (Math.rint(w[i] / step) * step);
        part.add(name + PART, DType.F32, new long[] {rows, cols}, q);
        return new Outcome(relativeError(w, toDouble(q)), Double.NaN);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Override
    protected long tensorBits(int rows, int cols) {
        return 32L * rows * cols;
    }

    @Override
    protected String convention() {
        return "F32 per weight";
    }
}
