package dev.llmcw.compress.awq;

import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.calibration.HessianAccumulator;
import dev.llmcw.compress.calibration.HessianSet;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ejml.data.DMatrixRMaj;

/**
 * AWQ of the block linears: per input group (q/k/v, o, gate/up, down) one scale search on the original model's
 * calibration activations ({@link AwqScaleSearch}), then each linear quantised with its group's scales and, where
 * chosen, clipped ({@link AwqQuantizer}). Stored as RTN's grid plus the FP16 input scales (see {@link AwqFormat}).
 */
public final class AwqMethod extends PerTensorCompression {
    /** Entry suffix of the per-input-channel scales s (FP16, one per column). */
    public static final String INPUT_SCALES = ".input_scales";

    private final int bits, groupSize, grid;
    private final boolean autoClip;
    private final CalibrationSpec calibration;
    private HessianSet statistics;
    private final Map<String, AwqScaleSearch.Result> scalesByGroup = new ConcurrentHashMap<>();

    public AwqMethod(int bits, int groupSize, int grid, boolean autoClip, CalibrationSpec calibration) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("AWQ bits must be 1..8, got " + bits);
        if (groupSize <= 0) throw new IllegalArgumentException("group size must be positive, got " + groupSize);
        if (grid < 1) throw new IllegalArgumentException("AWQ alpha grid must be at least 1, got " + grid);
        this.bits = bits;
        this.groupSize = groupSize;
        this.grid = grid;
        this.autoClip = autoClip;
        this.calibration = calibration;
    }

    @Override
    public String name() {
        return "awq";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bits", Integer.toString(bits));
        m.put("group", Integer.toString(groupSize));
        m.put("alpha_grid", Integer.toString(grid));
        m.put("auto_clip", Boolean.toString(autoClip));
        m.put("calibration", calibration.describe());
        return m;
    }

    /** RTN's asymmetric grid plus one FP16 scale per input channel. */
    public static long bits(int rows, int cols, int bits, int groupSize) {
        return QuantizerIO.scalarBits(rows, cols, bits, groupSize, false) + 16L * cols;
    }

    @Override
    protected long tensorBits(int rows, int cols) {
        return bits(rows, cols, bits, groupSize);
    }

    @Override
    protected String convention() {
        return QuantizerIO.scalarConvention(false) + ", plus one FP16 input scale per column";
    }

    @Override
    protected CalibrationSpec calibrationSpec() {
        return calibration;
    }

    @Override
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        statistics = calibration.obtain(model, progress, cancel, true);
        scalesByGroup.clear();
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
        HessianAccumulator acc = statistics.forWeight(name);
        DMatrixRMaj h = acc.mean();
        var search = scalesByGroup.computeIfAbsent(HessianSet.groupKey(name), g -> {
            var r = searchGroup(model, g, acc, h);
            progress.log(String.format(
                    Locale.ROOT,
                    "%s: alpha %.2f (output error %.4g, at alpha 0 %.4g)",
                    g,
                    r.alpha(),
                    r.losses()[r.best()],
                    r.losses()[0]));
            return r;
        });
        double[] wd = new double[w.length];
        for (int i = 0; i < w.length; i++) wd[i] = w[i];
        var q = AwqQuantizer.quantize(
                wd, rows, cols, search.scales(), bits, groupSize, autoClip && clipped(name) ? h : null);
        QuantizerIO.writeScalar(part, name + ".awq", q.grid(), q.codes());
        float[] s = new float[cols];
        for (int c = 0; c < cols; c++) s[c] = (float) search.scales()[c];
        part.add(name + ".awq" + INPUT_SCALES, DType.F16, new long[] {cols}, s);
        double[] dq = q.dequantize();
        return new Outcome(relativeError(w, dq), relativeActivationError(w, dq, rows, cols, h));
    }

    /** The official code clips every linear but q and k ("due to the qk bmm, it is hard to clip precisely"). */
    static boolean clipped(String name) {
        String layer = WeightNames.layerOf(name);
        if (layer == null) return true;
        int i = Integer.parseInt(layer);
        return !name.equals(WeightNames.q(i)) && !name.equals(WeightNames.k(i));
    }

    /** Scale search over every compressed linear that reads the input of {@code groupKey}. */
    private AwqScaleSearch.Result searchGroup(Model model, String groupKey, HessianAccumulator acc, DMatrixRMaj h) {
        List<AwqScaleSearch.Weight> weights = new ArrayList<>();
        for (String n : targets(model)) {
            if (!HessianSet.groupKey(n).equals(groupKey)) continue;
            var t = model.tensor(n);
            float[] f = t.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            weights.add(new AwqScaleSearch.Weight(d, t.rows()));
        }
        return AwqScaleSearch.search(weights, acc.meanAbs(), h, bits, groupSize, grid);
    }
}
