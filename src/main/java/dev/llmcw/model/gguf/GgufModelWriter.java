package dev.llmcw.model.gguf;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tokenizer.ByteLevelBpeTokenizer;
import dev.llmcw.tokenizer.SentencePieceBpeTokenizer;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.util.ModelLoadException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exports a {@link Model} as a llama.cpp-compatible GGUF file: {arch}.* hyper-parameters, tokenizer
 * metadata, and the weights under GGUF names. 2-D weights are stored as {@code type}; 1-D tensors
 * (norms, biases) and matrices whose rows are not a multiple of the quantisation block stay F32, as
 * llama.cpp's quantiser does. Q/K rows are permuted to the interleaved RoPE order llama GGUF files
 * use when the model holds them in rotate-half order (and back for qwen2). Compressed layers are
 * exported densely, reconstructed column by column through their forward pass.
 */
public final class GgufModelWriter {
    private GgufModelWriter() {}

    public static void write(Model model, Path out, DType type) {
        write(model, out, fileType(type), (gguf, shape) -> storageType(shape, type), false, Map.of());
    }

    /**
     * Exports with llama-quantize's per-tensor types of {@code mix} (quantized here with llama.cpp's reference
     * quantizers). Weights already held as ggml block types (a kquant-compressed model, a quantized GGUF) are
     * written as they are, not quantized a second time.
     */
    public static void write(Model model, Path out, KQuantMix mix) {
        write(model, out, mix, null);
    }

    /**
     * As {@link #write(Model, Path, KQuantMix)} with importance weights per GGUF tensor name (an imatrix, as
     * llama-quantize --imatrix takes it): a tensor with an entry is quantized by llama.cpp's importance-matrix
     * quantizers, the mix follows llama-quantize's imatrix rules. Null: none.
     */
    public static void write(Model model, Path out, KQuantMix mix, Map<String, float[]> importance) {
        ModelConfig c = model.config();
        var shape = new KQuantMix.ModelShape(
                c.nLayers(), c.nHeads() / Math.max(1, c.nKvHeads()), c.tiedEmbeddings(), importance != null);
        write(
                model,
                out,
                mix.fileType,
                (gguf, dims) -> mix.typeFor(gguf, dims[dims.length - 1], shape, false),
                true,
                importance == null ? Map.of() : importance);
    }

    /** The storage type of a GGUF tensor of the given name and shape. */
    private interface TypePolicy {
        DType typeOf(String ggufName, long[] shape);
    }

    private static void write(
            Model model,
            Path out,
            int fileType,
            TypePolicy policy,
            boolean keepBlocks,
            Map<String, float[]> importance) {
        ModelConfig c = model.config();
        String arch = switch (c.architecture()) {
            case "llama", "mistral" -> "llama";
            case "qwen2" -> "qwen2";
            default -> throw new ModelLoadException(out, "cannot export architecture " + c.architecture() + " to GGUF");
        };
        RopeLayout ggufLayout = arch.equals("llama") ? RopeLayout.INTERLEAVED : RopeLayout.ROTATE_HALF;
        var w = new GgufWriter();
        w.put("general.architecture", arch);
        w.put("general.name", model.label());
        w.putUint32("general.file_type", fileType);
        w.putUint32(arch + ".context_length", c.maxSeqLen());
        w.putUint32(arch + ".embedding_length", c.dim());
        w.putUint32(arch + ".block_count", c.nLayers());
        w.putUint32(arch + ".feed_forward_length", c.hiddenDim());
        w.putUint32(arch + ".attention.head_count", c.nHeads());
        w.putUint32(arch + ".attention.head_count_kv", c.nKvHeads());
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", c.rmsEps());
        w.putFloat32(arch + ".rope.freq_base", c.ropeTheta());
        w.putUint32(arch + ".rope.dimension_count", c.headDim());
        w.putUint32(arch + ".vocab_size", c.vocabSize());
        if (c.headDim() * c.nHeads() != c.dim()) {
            w.putUint32(arch + ".attention.key_length", c.headDim());
            w.putUint32(arch + ".attention.value_length", c.headDim());
        }
        if (c.ropeScaling() != null) {
            w.addTensor(
                    "rope_freqs.weight",
                    new long[] {c.headDim() / 2},
                    DType.F32,
                    GgufModelLoader.llama3Divisors(c.ropeScaling(), c.ropeTheta(), c.headDim()));
        }
        if (model.tokenizer() != null) putTokenizer(w, model.tokenizer(), out);

        // Canonical names sorted so blocks come out in a stable order.
        Map<String, Tensor> sorted = new TreeMap<>(model.tensors());
        for (String name : model.linears().keySet()) if (!sorted.containsKey(name)) sorted.put(name, null);
        for (var e : sorted.entrySet()) {
            String name = e.getKey();
            String gguf = GgufNames.toGguf(name);
            if (gguf == null) continue;
            Linear lin = model.linears().get(name);
            Tensor t = e.getValue();
            boolean permute = c.ropeLayout() != ggufLayout && (isQ(name) || isK(name));
            long[] shape = lin != null ? new long[] {lin.outFeatures(), lin.inFeatures()} : t.shape();
            DType type = t != null && t.rank() < 2 ? DType.F32 : policy.typeOf(gguf, shape);
            boolean asStored =
                    t != null && (t.dtype() == type || (keepBlocks && t.dtype().isBlockType()));
            if (lin == null && t.rank() == 2 && asStored) {
                if (!permute) {
                    w.addTensor(gguf, t);
                } else {
                    int heads = isQ(name) ? c.nHeads() : c.nKvHeads();
                    byte[] rows = t.segment().toArray(ValueLayout.JAVA_BYTE);
                    w.addEncoded(gguf, shape, t.dtype(), permuteRowBytes(rows, shape, heads, c.ropeLayout()));
                }
                continue;
            }
            float[] weights = type.isBlockType() ? importance.get(gguf) : null;
            if (lin == null && !permute && weights == null) {
                w.addTensor(gguf, t, type);
                continue;
            }
            float[] values = lin != null ? densify(lin) : t.toFloatArray();
            if (permute) {
                int heads = isQ(name) ? c.nHeads() : c.nKvHeads();
                values = c.ropeLayout() == RopeLayout.ROTATE_HALF
                        ? toInterleaved(values, shape, heads)
                        : toRotateHalf(values, shape, heads);
            }
            if (weights != null && weights.length != shape[shape.length - 1])
                throw new ModelLoadException(
                        out,
                        "the importance matrix has " + weights.length + " values for " + gguf + ", whose rows hold "
                                + shape[shape.length - 1]);
            if (weights != null) w.addTensor(gguf, shape, type, values, weights);
            else w.addTensor(gguf, shape, type, values);
        }
        w.write(out);
    }

    private static boolean isQ(String n) {
        return n.endsWith("self_attn.q_proj.weight") || n.endsWith("self_attn.q_proj.bias");
    }

    private static boolean isK(String n) {
        return n.endsWith("self_attn.k_proj.weight") || n.endsWith("self_attn.k_proj.bias");
    }

    private static DType storageType(long[] shape, DType wanted) {
        if (shape.length < 2) return DType.F32;
        return shape[shape.length - 1] % wanted.blockSize() == 0 ? wanted : DType.F32;
    }

    /** llama_ftype numbers (ALL_F32, MOSTLY_F16, MOSTLY_Q4_0, MOSTLY_Q8_0, MOSTLY_BF16). */
    private static int fileType(DType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("export-gguf cannot write " + t + " yet");
        };
    }

    /** W[:, i] = f(e_i) - f(0): recovers the weights of any linear layer (the bias cancels). */
    static float[] densify(Linear l) {
        int in = l.inFeatures(), out = l.outFeatures();
        float[] bias = new float[out];
        l.forward(new float[in], bias);
        float[] w = new float[Math.multiplyExact(out, in)];
        int batch = Math.min(in, 256); // unit vectors per forward call, bounding the scratch memory
        float[] eye = new float[batch * in];
        float[] cols = new float[batch * out];
        for (int start = 0; start < in; start += batch) {
            int b = Math.min(batch, in - start);
            Arrays.fill(eye, 0f);
            for (int k = 0; k < b; k++) eye[k * in + start + k] = 1f;
            l.forward(eye, 0, cols, 0, b);
            for (int k = 0; k < b; k++) {
                for (int o = 0; o < out; o++) w[o * in + start + k] = cols[k * out + o] - bias[o];
            }
        }
        return w;
    }

    /**
     * Rotate-half → interleaved row order within each head (convert_hf_to_gguf.py's permute):
     * new row h*hd + 2i + j comes from old row h*hd + j*hd/2 + i.
     */
    static float[] toInterleaved(float[] w, long[] shape, int heads) {
        return permuteRows(w, shape, heads, true);
    }

    static float[] toRotateHalf(float[] w, long[] shape, int heads) {
        return permuteRows(w, shape, heads, false);
    }

    /** The same row permutation on rows of encoded bytes (block rows move whole). */
    private static byte[] permuteRowBytes(byte[] w, long[] shape, int heads, RopeLayout from) {
        int rows = (int) shape[0], rowBytes = w.length / rows;
        float[] index = new float[rows];
        for (int r = 0; r < rows; r++) index[r] = r;
        long[] column = {rows, 1};
        float[] order = from == RopeLayout.ROTATE_HALF
                ? toInterleaved(index, column, heads)
                : toRotateHalf(index, column, heads);
        byte[] out = new byte[w.length];
        for (int r = 0; r < rows; r++) System.arraycopy(w, (int) order[r] * rowBytes, out, r * rowBytes, rowBytes);
        return out;
    }

    private static float[] permuteRows(float[] w, long[] shape, int heads, boolean toInterleaved) {
        int rows = (int) shape[0];
        int cols = shape.length > 1 ? (int) shape[1] : 1;
        int hd = rows / heads, half = hd / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int interleaved = h * hd + 2 * i + j, rotateHalf = h * hd + j * half + i;
                    int dst = toInterleaved ? interleaved : rotateHalf, src = toInterleaved ? rotateHalf : interleaved;
                    System.arraycopy(w, src * cols, out, dst * cols, cols);
                }
            }
        }
        return out;
    }

    private static void putTokenizer(GgufWriter w, Tokenizer tok, Path out) {
        switch (tok) {
            case SentencePieceBpeTokenizer spm -> {
                if (!spm.mergesByScore()) {
                    throw new ModelLoadException(
                            out,
                            "cannot export a merges-ranked (tokenizer.json) SentencePiece tokenizer to GGUF, which stores scores");
                }
                int n = spm.vocabSize();
                String[] pieces = new String[n];
                float[] scores = new float[n];
                int[] types = new int[n];
                for (int i = 0; i < n; i++) {
                    pieces[i] = spm.piece(i);
                    scores[i] = spm.score(i);
                    types[i] = spm.type(i);
                }
                w.put("tokenizer.ggml.model", "llama");
                w.put("tokenizer.ggml.pre", "default");
                w.put("tokenizer.ggml.tokens", GgufValue.strings(pieces));
                w.put("tokenizer.ggml.scores", GgufValue.floats(scores));
                w.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
                if (spm.unkId() >= 0) w.putUint32("tokenizer.ggml.unknown_token_id", spm.unkId());
                w.putBool("tokenizer.ggml.add_space_prefix", spm.addsDummyPrefix());
            }
            case ByteLevelBpeTokenizer bl -> {
                String pre = GgufTokenizers.preName(bl);
                if (pre == null) {
                    throw new ModelLoadException(
                            out,
                            "cannot export a byte-level tokenizer with pre-tokenizer " + bl.preTokenizerRegexes()
                                    + (bl.normalization() != null
                                            ? " and " + bl.normalization() + " normalisation"
                                            : "")
                                    + " to GGUF");
                }
                int n = bl.vocabSize();
                String[] tokens = new String[n];
                int[] types = new int[n];
                for (int i = 0; i < n; i++) {
                    tokens[i] = bl.token(i);
                    types[i] = bl.isControl(i)
                            ? SentencePieceBpeTokenizer.CONTROL
                            : bl.specialTokens().containsKey(tokens[i])
                                    ? SentencePieceBpeTokenizer.USER_DEFINED
                                    : SentencePieceBpeTokenizer.NORMAL;
                }
                w.put("tokenizer.ggml.model", "gpt2");
                w.put("tokenizer.ggml.pre", pre);
                w.put("tokenizer.ggml.tokens", GgufValue.strings(tokens));
                w.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
                w.put("tokenizer.ggml.merges", GgufValue.strings(bl.merges()));
            }
            default ->
                throw new ModelLoadException(
                        out, "cannot export tokenizer " + tok.getClass().getSimpleName() + " to GGUF");
        }
        if (tok.bosId() >= 0) w.putUint32("tokenizer.ggml.bos_token_id", tok.bosId());
        if (tok.eosId() >= 0) w.putUint32("tokenizer.ggml.eos_token_id", tok.eosId());
        w.putBool("tokenizer.ggml.add_bos_token", tok.addsBosByDefault());
    }
}
