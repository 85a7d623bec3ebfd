package dev.llmcw.compress;

import dev.llmcw.model.CompressedModelFiles;
import dev.llmcw.model.Model;
import java.nio.file.Path;

/** {@link CompressedModels#load} offered to {@code ModelLoader} (found through META-INF/services). */
public final class CompressedModelReader implements CompressedModelFiles.Reader {
    @Override
    public Model load(Path file, boolean onTheFly) {
        return CompressedModels.load(file, onTheFly);
    }

    @Override
    public Model loadForInference(Path file) {
        return CompressedModels.loadForInference(file);
    }
}
