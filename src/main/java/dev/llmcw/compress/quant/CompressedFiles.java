package dev.llmcw.compress.quant;

import dev.llmcw.compress.CompressedModels;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Assembly of compressed model files shared by RTN, GPTQ and CALDERA: common metadata
 * ({@link CompressedFormat} keys) and per-tensor parts copied from resume files; kept tensors are
 * written by {@link dev.llmcw.compress.KeptTensors} (one policy for every method). Loading is
 * {@link dev.llmcw.compress.CompressedModels#load}.
 */
public final class CompressedFiles {
    private CompressedFiles() {}

    /** A writer carrying the metadata every compressed file has ({@link dev.llmcw.compress.CompressedModels#metadata}). */
    public static SafetensorsWriter newWriter(Model model, String method, Map<String, String> params, Path tokenizer) {
        SafetensorsWriter w = new SafetensorsWriter();
        CompressedModels.metadata(method, params, model, tokenizer).forEach(w::metadata);
        return w;
    }

    /**
     * Adds every entry of a per-tensor part file to the final writer; the bytes are copied from the mapped
     * part while the file is written, so the compressed model is never held on the heap as a whole.
     */
    public static void copyAll(SafetensorsFile part, SafetensorsWriter w) {
        for (var e : part.entries().values())
            w.addStreamed(e.name(), e.dtype(), e.shape(), out -> SafetensorsWriter.copy(part.bytes(e.name()), out));
    }

    /** File name of a tensor's resume part in the work folder. */
    public static Path partFile(Path workDir, String tensor) {
        return workDir.resolve(tensor.replaceAll("[^A-Za-z0-9._-]", "_") + ".part.safetensors");
    }
}
