package dev.llmcw.model.hf;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes any {@link Model} as a Hugging Face folder that transformers (and {@link HfFolderLoader})
 * load as a plain Llama/Mistral/Qwen2: config.json and model.safetensors in F32, F16 or BF16.
 * <ul>
 * <li>Models with interleaved RoPE (llama2.c, GGUF llama) get their q_proj/k_proj rows permuted per
 *     head into the rotate-half order HF uses — the same permutation as transformers'
 *     convert_llama_weights_to_hf.py {@code permute} — so attention is unchanged.</li>
 * <li>Replacement (compressed) linear layers are written as their dense equivalent, recovered by
 *     running the layer on unit vectors, so a compressed model can be evaluated by other tools.</li>
 * <li>The tokenizer is not serialised (the Tokenizer interface cannot write tokenizer.json); pass the
 *     original tokenizer.json to copy it (its tokenizer_config.json beside it is copied too).</li>
 * </ul>
 */
public final class HfFolderWriter {
    /**
     * @param dtype         storage type of every tensor (F32, F16 or BF16)
     * @param synthetic     mark config.json with "workbench_synthetic": true
     * @param tokenizerJson tokenizer.json to copy into the folder, or null
     */
    public record Options(DType dtype, boolean synthetic, Path tokenizerJson) {
        public Options {
            if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
                throw new IllegalArgumentException("HF folders store F32, F16 or BF16, not " + dtype);
            }
        }

        public static Options of(DType dtype) {
            return new Options(dtype, false, null);
        }
    }

    private HfFolderWriter() {}

    public static void write(Model model, Path dir, Options options) throws IOException {
        write(model, dir, options, ProgressListener.NONE, CancellationToken.none());
    }

    public static void write(
            Model model, Path dir, Options options, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        ModelConfig c = model.config();
        // The folder describes rotate-half RoPE whatever the source used.
        ModelConfig out = new ModelConfig(
                c.architecture(),
                c.dim(),
                c.hiddenDim(),
                c.nLayers(),
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen(),
                c.rmsEps(),
                c.ropeTheta(),
                RopeLayout.ROTATE_HALF,
                c.ropeScaling(),
                c.tiedEmbeddings(),
                c.attentionBias());
        boolean permute = c.ropeLayout() == RopeLayout.INTERLEAVED;
        Map<String, long[]> shapes = HfTensorLayout.expectedShapes(out);
        var writer = new SafetensorsWriter().metadata("format", "pt"); // transformers refuses files without it
        AtomicLong done = new AtomicLong();
        int total = shapes.size();
        for (var e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            checkShape(model, name, shape);
            // Produced lazily, one tensor at a time: permuted or densified copies never pile up on the heap.
            writer.addStreamed(name, options.dtype().name(), shape, o -> {
                cancel.throwIfCancelled();
                Tensor t = source(model, name);
                if (permute) t = permuteIfRotary(t, name, c);
                SafetensorsWriter.writeConverted(t, options.dtype(), o);
                progress.update(
                        "writing " + dir.getFileName() + "/model.safetensors", done.incrementAndGet(), total, name);
            });
        }
        Files.createDirectories(dir);
        writer.write(dir.resolve(HfWeights.SINGLE));
        int bos = model.tokenizer() == null ? -1 : model.tokenizer().bosId();
        int eos = model.tokenizer() == null ? -1 : model.tokenizer().eosId();
        writeJson(
                dir.resolve(HfConfig.FILE),
                Json.MAPPER
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(HfConfig.toJson(out, options.dtype(), options.synthetic(), bos, eos)));
        if (options.tokenizerJson() != null) {
            copyAtomically(options.tokenizerJson(), dir.resolve(HfFolderLoader.TOKENIZER_JSON));
            Path cfg = options.tokenizerJson().resolveSibling(HfFolderLoader.TOKENIZER_CONFIG);
            if (Files.isRegularFile(cfg)) copyAtomically(cfg, dir.resolve(HfFolderLoader.TOKENIZER_CONFIG));
        }
    }

    private static void checkShape(Model model, String name, long[] shape) {
        Linear l = model.linears().get(name);
        long[] have = l != null
                ? new long[] {l.outFeatures(), l.inFeatures()}
                : model.tensor(name).shape();
        if (!Arrays.equals(have, shape)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(have)
                    + " but the model's config implies " + Arrays.toString(shape));
        }
    }

    /** The stored tensor, or the dense equivalent of its replacement layer. */
    private static Tensor source(Model model, String name) {
        Linear l = model.linears().get(name);
        return l != null ? dense(l) : model.tensor(name);
    }

    /**
     * Dense W of an affine layer: column j = f(e_j) - f(0). Subtracting f(0) removes a bias if the layer
     * applies one (biases are written separately from the model's tensors).
     */
    static F32Tensor dense(Linear l) {
        int in = l.inFeatures(), out = l.outFeatures();
        float[] w = new float[Math.multiplyExact(in, out)];
        float[] zero = new float[in], b = new float[out];
        l.forward(zero, b);
        int batch = Math.max(1, Math.min(in, (1 << 22) / Math.max(in, out)));
        float[] x = new float[batch * in], y = new float[batch * out];
        for (int j0 = 0; j0 < in; j0 += batch) {
            int n = Math.min(batch, in - j0);
            Arrays.fill(x, 0f);
            for (int t = 0; t < n; t++) x[t * in + j0 + t] = 1f;
            l.forward(x, 0, y, 0, n);
            for (int t = 0; t < n; t++) {
                for (int o = 0; o < out; o++) w[o * in + j0 + t] = y[t * out + o] - b[o];
            }
        }
        return F32Tensor.of(w, out, in);
    }

    private static Tensor permuteIfRotary(Tensor t, String name, ModelConfig c) {
        for (int i = 0; i < c.nLayers(); i++) {
            if (name.equals(WeightNames.q(i)) || name.equals(WeightNames.qBias(i))) {
                return permuteHeads(t, c.nHeads(), c.headDim());
            }
            if (name.equals(WeightNames.k(i)) || name.equals(WeightNames.kBias(i))) {
                return permuteHeads(t, c.nKvHeads(), c.headDim());
            }
        }
        return t;
    }

    /**
     * Row order inside one head, interleaved → rotate-half: {@code perm[newRow] = oldRow}. Rotary pair
     * (2i, 2i+1) of the interleaved layout becomes pair (i, i + headDim/2); equivalent to transformers'
     * {@code w.view(n_heads, head_dim // 2, 2, dim).transpose(1, 2).reshape(...)}.
     */
    public static int[] interleavedToRotateHalf(int headDim) {
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim " + headDim + " is odd");
        int half = headDim / 2;
        int[] perm = new int[headDim];
        for (int j = 0; j < 2; j++) {
            for (int i = 0; i < half; i++) perm[j * half + i] = 2 * i + j;
        }
        return perm;
    }

    /** Rows of a [heads*headDim, cols] matrix (or [heads*headDim] bias) permuted per head, as F32. */
    public static F32Tensor permuteHeads(Tensor t, int heads, int headDim) {
        long[] shape = t.shape();
        if (shape[0] != (long) heads * headDim) {
            throw new IllegalArgumentException(t + " does not have " + heads + " heads of " + headDim + " rows");
        }
        int cols = t.rank() == 1 ? 1 : t.cols();
        int[] perm = interleavedToRotateHalf(headDim);
        float[] out = new float[Math.toIntExact(t.numel())];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < headDim; r++) {
                long src = (long) (h * headDim + perm[r]) * cols;
                t.toFloat(src, out, (h * headDim + r) * cols, cols);
            }
        }
        return F32Tensor.of(out, shape);
    }

    private static void writeJson(Path file, String text) throws IOException {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(bytes));
    }

    private static void copyAtomically(Path from, Path to) throws IOException {
        if (from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) return;
        AtomicFiles.write(to, o -> Files.copy(from, o));
    }
}
