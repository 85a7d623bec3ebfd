package dev.llmcw.app;

import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.synthetic.SyntheticModelGenerator;
import dev.llmcw.model.synthetic.SyntheticPresets;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens models with {@link ModelLoader}; generates synthetic ones with {@link SyntheticModelGenerator}. */
public final class DefaultModelService implements ModelService {
    /** Any model ModelLoader opens, compressed model files included (with their source's tokenizer). */
    @Override
    public ModelHandle open(Path path, Path tokenizer) {
        return ModelService.handle(ModelLoader.loadForInference(path, tokenizer), path);
    }

    @Override
    public List<String> syntheticPresets() {
        return SyntheticPresets.names();
    }

    /**
     * BF16 like the real checkpoints the presets mimic; the small test/demo presets are written as F32
     * so their compression starts from exact weights.
     */
    @Override
    public ModelHandle generateSynthetic(
            String preset, Path dir, long seed, ProgressListener progress, CancellationToken cancel) {
        DType dtype = preset.equals("tiny") || preset.equals("demo") ? DType.F32 : DType.BF16;
        try {
            if (!Files.isRegularFile(dir.resolve("config.json"))) {
                SyntheticModelGenerator.generate(
                        SyntheticPresets.get(preset), preset, dtype, seed, dir, progress, cancel);
            } else {
                progress.log("reusing " + dir + " (same preset and seed)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
        return open(dir, null);
    }
}
