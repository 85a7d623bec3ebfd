package dev.llmcw.model;

import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * What the model package knows about compressed model files: the metadata keys that mark and describe
 * them, and a {@link Reader} that opens them. The reader lives with the compression methods and is found
 * with {@link ServiceLoader}, so this package does not depend on them (they depend on it).
 */
public final class CompressedModelFiles {
    public static final String KEY_METHOD = "workbench.method";
    public static final String KEY_PARAMS = "workbench.params"; // JSON object of the method's parameters
    public static final String KEY_CONFIG = "workbench.config"; // JSON of ModelConfig
    public static final String KEY_SOURCE = "workbench.source"; // path of the source model
    public static final String KEY_SOURCE_HASH = "workbench.source_hash";
    public static final String KEY_TOKENIZER =
            "workbench.tokenizer"; // path of the tokenizer used with the source, if any
    public static final String KEY_CODE_VERSION = "workbench.code_version";

    /** Opens a compressed model file; implemented by the compression package. */
    public interface Reader {
        /** @param onTheFly decode weights inside the matvec (true) or once into dense tensors (false) */
        Model load(Path file, boolean onTheFly);

        /** Each method's layers on the fly or dense as inference runs them (its own default, or the override). */
        Model loadForInference(Path file);
    }

    private CompressedModelFiles() {}

    private static final class Holder {
        static final Reader READER = ServiceLoader.load(Reader.class, CompressedModelFiles.class.getClassLoader())
                .findFirst()
                .orElse(null);
    }

    public static Model load(Path file, boolean onTheFly) {
        return reader(file).load(file, onTheFly);
    }

    /** The file as inference runs it: see {@link Reader#loadForInference}. */
    public static Model loadForInference(Path file) {
        return reader(file).loadForInference(file);
    }

    private static Reader reader(Path file) {
        if (Holder.READER == null)
            throw new ModelLoadException(
                    file, "compressed model file, but this build has no reader for compressed models");
        return Holder.READER;
    }
}
