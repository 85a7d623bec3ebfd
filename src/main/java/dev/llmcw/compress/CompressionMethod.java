package dev.llmcw.compress;

import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A weight compression method with its parameters fixed (one instance = one setting). Implemented by
 * SeedLM, CALDERA, RTN and GPTQ; the GUI, the CLI and suites use only this interface.
 */
public interface CompressionMethod {
    /** "seedlm", "caldera", "rtn", "gptq". */
    String name();

    /** Parameters as strings, recorded with every result (e.g. C=8, P=3, K=16). */
    Map<String, String> parameters();

    /** The same setting, recording {@code tokenizer} (the one used with the source model) in the written file. */
    CompressionMethod withTokenizer(Path tokenizer);

    /** Exact size accounting before anything runs. */
    SizeEstimate estimate(Model model);

    /**
     * Compresses {@code model} and writes the compressed model file to {@code out} (safetensors with
     * "__metadata__"), resuming per tensor from {@code workDir} if an earlier run was interrupted.
     * The written file is accepted everywhere a model is (ModelLoader).
     */
    CompressionReport compress(Model model, Path out, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException;
}
