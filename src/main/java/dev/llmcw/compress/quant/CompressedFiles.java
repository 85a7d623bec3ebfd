package dev.llmcw.compress.quant;

import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Assembly of compressed model files shared by RTN, GPTQ and CALDERA: common metadata
 * ({@link CompressedFormat} keys), kept tensors under canonical names in their float type (quantised
 * GGUF types become F32) and per-tensor parts copied from resume files. Loading is
 * {@link dev.llmcw.compress.CompressedModels#load}.
 */
public final class CompressedFiles {
    private CompressedFiles() {}

    /** A writer carrying the metadata every compressed file has ({@link dev.llmcw.compress.CompressedModels#metadata}). */
    public static SafetensorsWriter newWriter(Model model, String method, Map<String, String> params, Path tokenizer) {
        SafetensorsWriter w = new SafetensorsWriter();
        dev.llmcw.compress.CompressedModels.metadata(method, params, model, tokenizer).forEach(w::metadata);
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

}
