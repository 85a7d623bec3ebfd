package dev.llmcw.model.hf;

import dev.llmcw.util.ModelLoadException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the small JSON files of a model folder (config.json, the shard index) whole, after checking
 * their size: a corrupt or sparse multi-GB "config.json" would otherwise end in an OutOfMemoryError.
 */
final class JsonSideFiles {
    /** Far above any real config or shard index (Llama 3.1 405B's index is about 100 KB). */
    static final long MAX_BYTES = 64L << 20;

    private JsonSideFiles() {}

    static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ModelLoadException(file, "is " + size + " bytes, too large for a JSON side file (limit "
                        + MAX_BYTES + " bytes): corrupt file?");
            }
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read: " + e.getMessage(), e);
        }
    }
}
