package dev.llmcw.compress.quant;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.ModelLoadException;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Assembly of compressed model files shared by RTN, GPTQ and CALDERA: common metadata
 * ({@link CompressedFormat} keys), kept tensors under canonical names in their float type (quantised
 * GGUF types become F32), per-tensor parts copied from resume files, and loading such a file back into a
 * {@link Model} with a format's replacement linears.
 */
public final class CompressedFiles {
    private CompressedFiles() {}

    public static SafetensorsWriter newWriter(Model model, String method, Map<String, String> params) {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata(CompressedFormat.KEY_METHOD, method);
        w.metadata(CompressedFormat.KEY_PARAMS, Json.write(params));
        w.metadata(CompressedFormat.KEY_CONFIG, Json.write(model.config()));
        if (model.source() != null) {
            w.metadata(CompressedFormat.KEY_SOURCE, model.source().toString());
            if (Files.isRegularFile(model.source())) w.metadata(CompressedFormat.KEY_SOURCE_HASH, Hashing.sha256(model.source()));
        }
        String tok = model.metadata().get("tokenizer");
        if (tok != null) w.metadata(CompressedFormat.KEY_TOKENIZER, tok);
        w.metadata(CompressedFormat.KEY_CODE_VERSION, BuildInfo.version());
        return w;
    }

    /** Adds every tensor not in {@code compressed}; returns the bytes they take. */
    public static long addKeptTensors(SafetensorsWriter w, Model model, Set<String> compressed) {
        long bytes = 0;
        for (var e : new java.util.TreeMap<>(model.tensors()).entrySet()) {
            if (compressed.contains(e.getKey())) continue;
            Tensor t = e.getValue();
            if (t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.BF16) {
                byte[] data = t.segment().toArray(ValueLayout.JAVA_BYTE);
                w.addRaw(e.getKey(), t.dtype().name(), t.shape(), data);
                bytes += data.length;
            } else {
                w.add(e.getKey(), DType.F32, t.shape(), t.toFloatArray());
                bytes += 4 * t.numel();
            }
        }
        return bytes;
    }

    /** Bytes the kept tensors will take (for estimates). */
    public static long keptBytes(Model model, Set<String> compressed) {
        long bytes = 0;
        for (var e : model.tensors().entrySet()) {
            if (compressed.contains(e.getKey())) continue;
            Tensor t = e.getValue();
            bytes += (t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.BF16) ? t.byteSize() : 4 * t.numel();
        }
        return bytes;
    }

    /** Copies every entry of a per-tensor part file into the final writer. */
    public static void copyAll(SafetensorsFile part, SafetensorsWriter w) {
        for (var e : part.entries().values()) w.addRaw(e.name(), e.dtype(), e.shape(), part.byteArray(e.name()));
    }

    /** File name of a tensor's resume part in the work folder. */
    public static Path partFile(Path workDir, String tensor) {
        return workDir.resolve(tensor.replaceAll("[^A-Za-z0-9._-]", "_") + ".part.safetensors");
    }

    /**
     * Opens a compressed model file of {@code format}: config from the metadata, kept tensors as views,
     * replacement linears from the format. (Integrator: CompressedModels.load should delegate here or
     * replace this.)
     */
    public static Model load(Path file, CompressedFormat format, boolean onTheFly) {
        SafetensorsFile f = SafetensorsFile.open(file);
        String method = f.metadata().get(CompressedFormat.KEY_METHOD);
        if (!format.method().equals(method)) {
            throw new ModelLoadException(file, "compressed with method " + method + ", not " + format.method());
        }
        String cfg = f.metadata().get(CompressedFormat.KEY_CONFIG);
        if (cfg == null) throw new ModelLoadException(file, "metadata has no " + CompressedFormat.KEY_CONFIG);
        ModelConfig config;
        try {
            config = Json.read(cfg, ModelConfig.class);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file, "invalid " + CompressedFormat.KEY_CONFIG + ": " + e.getMessage());
        }
        Map<String, Linear> linears = format.linears(f, config, onTheFly);
        Map<String, Tensor> tensors = new HashMap<>();
        for (var e : f.entries().values()) {
            if (e.name().startsWith("model.") || e.name().startsWith("lm_head")) {
                if (Set.of("F32", "F16", "BF16").contains(e.dtype()) && !linears.containsKey(e.name()) && !e.name().contains(".weight.")) {
                    tensors.put(e.name(), f.tensor(e.name()));
                }
            }
        }
        Map<String, String> md = new LinkedHashMap<>(f.metadata());
        return new Model(config, tensors, linears, null, file, method,
                method + " " + f.metadata().getOrDefault(CompressedFormat.KEY_PARAMS, "") + " of "
                        + f.metadata().getOrDefault(CompressedFormat.KEY_SOURCE, "?"), md);
    }
}
