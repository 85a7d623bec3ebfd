package dev.llmcw.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens any supported model by looking at what the path is: a Hugging Face folder (config.json), a
 * GGUF file (magic "GGUF"), a compressed-model safetensors file written by this workbench, or a
 * llama2.c checkpoint. Tokenizers are found beside the model unless one is given.
 */
public final class ModelLoader {
    private ModelLoader() {}

    public static Model load(Path path) {
        return load(path, null);
    }

    public static Model load(Path path, Path tokenizer) {
        if (!Files.exists(path)) throw new ModelLoadException(path, "no such file or folder");
        Model m;
        if (Files.isDirectory(path)) {
            throw new ModelLoadException(path, "Hugging Face folders are not supported yet");
        } else if (dev.llmcw.model.gguf.GgufFile.isGguf(path)) {
            m = dev.llmcw.model.gguf.GgufModelLoader.load(path);
        } else {
            m = Llama2cLoader.load(path);
        }
        return m;
    }
}
