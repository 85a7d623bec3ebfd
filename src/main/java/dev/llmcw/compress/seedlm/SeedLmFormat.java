package dev.llmcw.compress.seedlm;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.ModelLoadException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads SeedLM weights ({@link SeedLmTensor} layout) back as linear layers: decoded to dense F32 or on the fly. */
public final class SeedLmFormat implements CompressedFormat {
    private static final String SHAPE_SUFFIX = SeedLmTensor.PART + "shape";

    @Override
    public String method() {
        return "seedlm";
    }

    /**
     * Decoded once: regenerating the LFSR basis inside the matvec is slower here than reading dense F32
     * (measured ~0.3× of BF16 decode on 2 cores, docs/performance-notes.md), so dense stays the default.
     */
    @Override
    public boolean runsOnTheFlyByDefault() {
        return false;
    }

    @Override
    public Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly) {
        SeedLmConfig cfg;
        try {
            cfg = SeedLmConfig.fromParams(CompressedModels.params(file));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file.path(), "bad SeedLM parameters: " + e.getMessage(), e);
        }
        Map<String, Linear> out = new LinkedHashMap<>();
        for (String name : tensors(file)) {
            SeedLmTensor t = SeedLmTensor.read(file, name, cfg);
            out.put(name, linear(t, onTheFly));
        }
        return out;
    }

    /** Canonical names of the SeedLM-compressed weights in a file. */
    public static List<String> tensors(SafetensorsFile file) {
        return file.entries().keySet().stream()
                .filter(n -> n.endsWith(SHAPE_SUFFIX))
                .map(n -> n.substring(0, n.length() - SHAPE_SUFFIX.length()))
                .toList();
    }

    public static Linear linear(SeedLmTensor t, boolean onTheFly) {
        if (onTheFly) return t.rowAligned() ? new SeedLmLinear(t) : new FlatSeedLmLinear(t);
        return new DenseLinear(F32Tensor.of(t.decode(), t.rows(), t.cols()));
    }
}
