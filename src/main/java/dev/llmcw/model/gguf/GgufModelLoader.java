package dev.llmcw.model.gguf;

import dev.llmcw.model.FiniteWeights;
import dev.llmcw.model.LayerCount;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a Llama-family GGUF model (general.architecture llama, mistral or qwen2) into a {@link Model}:
 * hyper-parameters from the {arch}.* metadata, tensors renamed to the canonical names, the tokenizer
 * from tokenizer.ggml.*. Llama GGUF files store Q/K permuted for interleaved RoPE (llama.cpp's
 * converter undoes Hugging Face's rotate-half order), so they load as {@link RopeLayout#INTERLEAVED};
 * qwen2 uses NEOX rope on unpermuted weights, i.e. {@link RopeLayout#ROTATE_HALF}.
 */
public final class GgufModelLoader {
    private GgufModelLoader() {}

    public static Model load(Path path) {
        GgufFile g = GgufFile.open(path);
        String arch = g.getString("general.architecture");
        RopeLayout layout = switch (arch) {
            case "llama", "mistral" -> RopeLayout.INTERLEAVED;
            case "qwen2" -> RopeLayout.ROTATE_HALF;
            default ->
                throw new ModelLoadException(
                        path,
                        "general.architecture \"" + arch + "\" is not supported (supported: llama, mistral, qwen2)");
        };
        Tokenizer tokenizer = g.has("tokenizer.ggml.model") ? GgufTokenizers.fromMetadata(g) : null;

        Map<String, Tensor> tensors = new HashMap<>();
        List<String> ignored = new ArrayList<>();
        for (GgufTensorInfo info : g.tensorInfos().values()) {
            String canonical = GgufNames.toCanonical(info.name());
            if (canonical == null) {
                ignored.add(info.name());
            } else {
                tensors.put(canonical, g.tensor(info.name()));
            }
        }
        if (!tensors.containsKey(WeightNames.EMBED))
            throw new ModelLoadException(path, "missing tensor token_embd.weight");
        Tensor embed = tensors.get(WeightNames.EMBED);

        int dim = g.getInt(arch + ".embedding_length");
        int nLayers = g.getInt(arch + ".block_count");
        int nHeads = g.getInt(arch + ".attention.head_count");
        int nKv = g.getInt(arch + ".attention.head_count_kv", nHeads);
        int hidden = g.getInt(arch + ".feed_forward_length");
        if (dim <= 0
                || nLayers <= 0
                || nHeads <= 0
                || nKv <= 0
                || hidden <= 0
                || dim % nHeads != 0
                || nHeads % nKv != 0) {
            throw new ModelLoadException(
                    path,
                    String.format(
                            "implausible hyper-parameters: embedding_length=%d block_count=%d head_count=%d head_count_kv=%d feed_forward_length=%d",
                            dim, nLayers, nHeads, nKv, hidden));
        }
        LayerCount.checkNoTensorBeyond(path, tensors.keySet(), nLayers, arch + ".block_count", GgufNames::toGguf);
        int headDim = g.getInt(arch + ".attention.key_length", dim / nHeads);
        int ropeDims = g.getInt(arch + ".rope.dimension_count", headDim);
        if (ropeDims != headDim) {
            throw new ModelLoadException(
                    path,
                    "partial rotary embeddings (rope.dimension_count " + ropeDims + " < head dim " + headDim
                            + ") are not supported");
        }
        int vocab = embed.rows();
        if (tokenizer != null && tokenizer.vocabSize() != vocab) {
            // Some converters pad the embedding; the engine needs its row count, the tokenizer covers fewer ids.
            if (tokenizer.vocabSize() > vocab) {
                throw new ModelLoadException(
                        path,
                        "tokenizer has " + tokenizer.vocabSize() + " tokens but token_embd.weight only " + vocab
                                + " rows");
            }
        }
        int ctx = g.getInt(arch + ".context_length", 2048);
        float eps = (float) g.getDouble(arch + ".attention.layer_norm_rms_epsilon", 1e-5);
        float theta = (float) g.getDouble(arch + ".rope.freq_base", 10000.0);
        boolean tied = !tensors.containsKey(WeightNames.LM_HEAD);
        boolean bias = tensors.containsKey(WeightNames.qBias(0));
        RopeScaling scaling = g.tensorInfos().containsKey("rope_freqs.weight")
                ? llama3Scaling(g, g.tensor("rope_freqs.weight"), theta, headDim)
                : null;
        var config = new ModelConfig(
                arch.equals("mistral") ? "mistral" : arch,
                dim,
                hidden,
                nLayers,
                nHeads,
                nKv,
                headDim,
                vocab,
                ctx,
                eps,
                theta,
                layout,
                scaling,
                tied,
                bias);
        checkShapes(path, config, tensors);
        for (GgufTensorInfo info : g.tensorInfos().values()) {
            String canonical = GgufNames.toCanonical(info.name());
            if (canonical != null) FiniteWeights.check(path, info.name(), tensors.get(canonical));
        }

        var meta = new LinkedHashMap<String, String>();
        meta.put("gguf.version", String.valueOf(g.version()));
        if (g.has("general.file_type")) meta.put("gguf.file_type", String.valueOf(g.getLong("general.file_type")));
        if (!ignored.isEmpty()) meta.put("gguf.ignored_tensors", String.join(",", ignored));
        String label = g.getString("general.name", path.getFileName().toString());
        return new Model(config, tensors, Map.of(), tokenizer, path, "gguf", label, meta);
    }

    /**
     * Llama 3.1/3.2 GGUF files carry their "llama3" RoPE scaling only as the per-frequency divisors in
     * rope_freqs.weight. We recover the parameters by assuming the published low/high frequency factors
     * (1, 4) and original context (8192), taking the factor from the largest divisor, and accept them
     * only if they reproduce every divisor.
     */
    static RopeScaling llama3Scaling(GgufFile g, Tensor freqs, float theta, int headDim) {
        float[] f = freqs.toFloatArray();
        if (f.length != headDim / 2)
            throw new ModelLoadException(
                    g.path(), "rope_freqs.weight has " + f.length + " values, expected " + headDim / 2);
        float factor = 1f;
        for (float v : f) factor = Math.max(factor, v);
        var candidate = new RopeScaling(factor, 1.0, 4.0, 8192);
        float[] want = llama3Divisors(candidate, theta, headDim);
        for (int i = 0; i < f.length; i++) {
            if (Math.abs(f[i] - want[i]) > 1e-3f * want[i]) {
                throw new ModelLoadException(
                        g.path(),
                        "rope_freqs.weight is not llama3 scaling with low/high factors 1/4 and original context 8192 (entry "
                                + i + ": " + f[i] + " vs " + want[i] + ")");
            }
        }
        return candidate;
    }

    /** The divisors llama.cpp's converter writes to rope_freqs.weight for llama3 scaling. */
    static float[] llama3Divisors(RopeScaling s, float theta, int headDim) {
        float[] out = new float[headDim / 2];
        double lowWave = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highWave = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            double wave = 2 * Math.PI / freq;
            if (wave < highWave) out[i] = 1f;
            else if (wave > lowWave) out[i] = (float) s.factor();
            else {
                double smooth = (s.originalMaxPositionEmbeddings() / wave - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return out;
    }

    private static void checkShapes(Path path, ModelConfig c, Map<String, Tensor> t) {
        expect(path, t, WeightNames.EMBED, c.vocabSize(), c.dim());
        expect(path, t, WeightNames.FINAL_NORM, c.dim());
        if (!c.tiedEmbeddings()) expect(path, t, WeightNames.LM_HEAD, c.vocabSize(), c.dim());
        for (int i = 0; i < c.nLayers(); i++) {
            expect(path, t, WeightNames.attnNorm(i), c.dim());
            expect(path, t, WeightNames.ffnNorm(i), c.dim());
            expect(path, t, WeightNames.q(i), c.qDim(), c.dim());
            expect(path, t, WeightNames.k(i), c.kvDim(), c.dim());
            expect(path, t, WeightNames.v(i), c.kvDim(), c.dim());
            expect(path, t, WeightNames.o(i), c.dim(), c.qDim());
            expect(path, t, WeightNames.gate(i), c.hiddenDim(), c.dim());
            expect(path, t, WeightNames.up(i), c.hiddenDim(), c.dim());
            expect(path, t, WeightNames.down(i), c.dim(), c.hiddenDim());
            if (c.attentionBias()) {
                expect(path, t, WeightNames.qBias(i), c.qDim());
                expect(path, t, WeightNames.kBias(i), c.kvDim());
                expect(path, t, WeightNames.vBias(i), c.kvDim());
            }
        }
    }

    private static void expect(Path path, Map<String, Tensor> t, String name, long... shape) {
        Tensor x = t.get(name);
        String gguf = GgufNames.toGguf(name);
        if (x == null) throw new ModelLoadException(path, "missing tensor " + gguf + " (" + name + ")");
        if (!Arrays.equals(x.shape(), shape)) {
            throw new ModelLoadException(
                    path,
                    "tensor " + gguf + " has shape " + Arrays.toString(x.shape()) + ", expected "
                            + Arrays.toString(shape) + " from the metadata");
        }
    }
}
