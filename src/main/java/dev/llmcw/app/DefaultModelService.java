package dev.llmcw.app;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelLoader;
import dev.llmcw.tokenizer.TokenizerFiles;
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
    /**
     * Compressed model files are opened through {@link CompressedModels} (until ModelLoader dispatches
     * them itself) with the tokenizer their metadata names, when it names one that exists.
     */
    @Override
    public ModelHandle open(Path path, Path tokenizer) {
        if (CompressedModels.isCompressedModel(path)) {
            Model m = CompressedModels.load(path, false);
            Path tok = tokenizer;
            String recorded = m.metadata().getOrDefault(CompressedFormat.KEY_TOKENIZER, "");
            if (tok == null && !recorded.isBlank() && Files.isRegularFile(Path.of(recorded))) tok = Path.of(recorded);
            if (tok != null) m = m.withTokenizer(TokenizerFiles.open(tok));
            return ModelService.handle(m, path);
        }
        return ModelService.handle(ModelLoader.load(path, tokenizer), path);
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
    public ModelHandle generateSynthetic(String preset, Path dir, long seed, ProgressListener progress, CancellationToken cancel) {
        DType dtype = preset.equals("tiny") || preset.equals("demo") ? DType.F32 : DType.BF16;
        try {
            if (!Files.isRegularFile(dir.resolve("config.json"))) {
                SyntheticModelGenerator.generate(SyntheticPresets.get(preset), preset, dtype, seed, dir, progress, cancel);
            } else {
                progress.log("reusing " + dir + " (same preset and seed)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
        return open(dir, null);
    }
}
