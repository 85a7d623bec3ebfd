package dev.llmcw.compress.kquant;

import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.calibration.HessianAccumulator;
import dev.llmcw.compress.calibration.HessianSet;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.gguf.GgmlQuantizer;
import dev.llmcw.model.gguf.GgmlType;
import dev.llmcw.model.gguf.GgufNames;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensors;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quantizes each block linear to the ggml type llama-quantize would give it under {@code mix} (or the base
 * type everywhere with {@code pure}), with llama.cpp's quantizers, so the stored blocks are the bytes of a
 * llama.cpp file. With calibration, the importance weights of a weight are the mean squared inputs of its
 * columns (the diagonal of the calibration pass's E[xxᵀ]), which is what llama-imatrix collects.
 */
public final class KQuantMethod extends PerTensorCompression {
    public static final String NAME = "kquant";

    private final KQuantMix mix;
    private final boolean pure;
    private final CalibrationSpec calibration;
    private HessianSet hessians;

    public KQuantMethod(KQuantMix mix, boolean pure, CalibrationSpec calibration) {
        this.mix = mix;
        this.pure = pure;
        this.calibration = calibration;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", mix.name());
        m.put("pure", Boolean.toString(pure));
        if (calibration != null) m.put("calibration", calibration.describe());
        return m;
    }

    /** The ggml type of block linear {@code name} of {@code model} under this setting. */
    public DType typeOf(Model model, String name, int cols) {
        ModelConfig c = model.config();
        var shape = new KQuantMix.ModelShape(
                c.nLayers(), c.nHeads() / Math.max(1, c.nKvHeads()), c.tiedEmbeddings(), calibration != null);
        return mix.typeFor(GgufNames.toGguf(name), cols, shape, pure);
    }

    static DType fallback(DType type, long cols) {
        return KQuantMix.fallback(type, cols);
    }

    @Override
    protected long tensorBits(int rows, int cols) {
        return fallback(mix.base, cols).bytesFor((long) rows * cols) * 8;
    }

    @Override
    protected long tensorBits(Model model, String name, int rows, int cols) {
        return typeOf(model, name, cols).bytesFor((long) rows * cols) * 8;
    }

    @Override
    protected String convention() {
        return "ggml blocks as stored (scales and mins included), per tensor type of the " + mix + " mix";
    }

    @Override
    protected CalibrationSpec calibrationSpec() {
        return calibration;
    }

    @Override
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        if (calibration != null) hessians = calibration.obtain(model, progress, cancel);
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
        DType type = typeOf(model, name, cols);
        float[] importance = hessians == null ? null : importance(hessians.forWeight(name));
        byte[] blocks = encode(type, w, rows, cols, importance);
        part.addBytes(name + KQuantFormat.BLOCKS, new long[] {rows, blocks.length / rows}, blocks);
        part.addInts(name + KQuantFormat.TYPE, new long[] {1}, new int[] {GgmlType.fromDType(type)});
        float[] q = Tensors.wrap(type, new long[] {rows, cols}, MemorySegment.ofArray(blocks))
                .toFloatArray();
        double[] qd = new double[q.length];
        for (int i = 0; i < q.length; i++) qd[i] = q[i];
        return new Outcome(
                relativeError(w, qd),
                hessians == null
                        ? Double.NaN
                        : relativeActivationError(
                                w, qd, rows, cols, hessians.forWeight(name).mean()));
    }

    /** F16 for rows llama.cpp cannot block-quantize at all; llama.cpp's quantizers otherwise. */
    static byte[] encode(DType type, float[] w, int rows, int cols, float[] importance) {
        if (type == DType.F16) {
            byte[] out = new byte[w.length * 2];
            for (int i = 0; i < w.length; i++) {
                short h = Half.floatToF16(w[i]);
                out[2 * i] = (byte) h;
                out[2 * i + 1] = (byte) (h >> 8);
            }
            return out;
        }
        return GgmlQuantizer.quantize(type, w, rows, cols, importance);
    }

    /** llama.cpp's imatrix entry of a weight: the mean square of each input column over the calibration tokens. */
    static float[] importance(HessianAccumulator h) {
        int n = h.size();
        double[] sum = h.rawSum();
        long count = h.count();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (sum[i * n + i] / count);
        return out;
    }
}
