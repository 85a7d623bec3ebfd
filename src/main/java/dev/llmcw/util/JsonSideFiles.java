package dev.llmcw.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the small files beside a model's weights (config.json, the shard index, tokenizer files) whole,
 * after checking their size: a corrupt or sparse multi-GB one would otherwise end in an OutOfMemoryError.
 */
public final class JsonSideFiles {
    /** Far above any real config, shard index or tokenizer (Llama 3.1 405B's index is about 100 KB, big tokenizer.json files 35 MB). */
    public static final long MAX_BYTES = 64L << 20;

    private JsonSideFiles() {}

    /** The file as text, refused when it is larger than {@link #MAX_BYTES}. */
    public static String read(Path file) {
        requireSmall(file, "JSON side file");
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The file's bytes, refused when it is larger than {@link #MAX_BYTES}; {@code what} names it in the message. */
    public static byte[] readBytes(Path file, String what) {
        requireSmall(file, what);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Refuses a file larger than {@link #MAX_BYTES} before anything reads it whole. */
    public static void requireSmall(Path file, String what) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read: " + e.getMessage(), e);
        }
        if (size > MAX_BYTES) {
            throw new ModelLoadException(
                    file,
                    "is " + size + " bytes, too large for a " + what + " (limit " + MAX_BYTES
                            + " bytes): corrupt file?");
        }
    }
}
