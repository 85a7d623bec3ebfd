package dev.llmcw.app;

import dev.llmcw.model.Model;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.List;

/** Opening and generating models (wraps ModelLoader and the synthetic generator). */
public interface ModelService {
    /** Loads any supported model; a tokenizer beside the model is found by the loader. */
    ModelHandle open(Path path, Path tokenizer);

    /** Presets of the synthetic generator ("demo", ...), empty when it has not landed. */
    List<String> syntheticPresets();

    /** Writes a SYNTHETIC model of {@code preset} under {@code dir} and opens it. */
    ModelHandle generateSynthetic(
            String preset, Path dir, long seed, ProgressListener progress, CancellationToken cancel);

    static ModelHandle handle(Model m, Path path) {
        String name =
                m.label() == null || m.label().isBlank() ? path.getFileName().toString() : m.label();
        return new ModelHandle(name, path, m, ModelCard.of(m), null);
    }
}
