package dev.llmcw.app;

import dev.llmcw.model.ModelLoader;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;

import java.nio.file.Path;
import java.util.List;

/** Opens models with {@link ModelLoader}. */
public final class DefaultModelService implements ModelService {
    @Override
    public ModelHandle open(Path path, Path tokenizer) {
        return ModelService.handle(ModelLoader.load(path, tokenizer), path);
    }

    @Override
    public List<String> syntheticPresets() {
        return List.of();
    }

    @Override
    public ModelHandle generateSynthetic(String preset, Path dir, long seed, ProgressListener progress, CancellationToken cancel) {
        throw new NotAvailableException("The synthetic model generator (dev.llmcw.model.synthetic) is not in this build yet.");
    }
}
