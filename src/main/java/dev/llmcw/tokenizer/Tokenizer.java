package dev.llmcw.tokenizer;

import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;

/** Text ↔ token ids. {@link #encode} never adds BOS/EOS; callers decide (lm-eval's BOS switch). */
public interface Tokenizer {
    int[] encode(String text);

    String decode(int[] ids);

    /** BOS id, or -1 if the vocabulary has none. */
    int bosId();

    /** EOS id, or -1 if the vocabulary has none. */
    int eosId();

    int vocabSize();

    /** Whether the tokenizer's own default is to prepend BOS (tokenizer_config / GGUF add_bos_token). */
    default boolean addsBosByDefault() {
        return bosId() >= 0;
    }

    /**
     * Refuses this tokenizer for a model whose vocabulary is smaller: ids past the embedding table would be
     * read as other memory or fail deep inside the engine, so a wrong tokenizer is named at load instead.
     */
    default void checkFits(Path tokenizerFile, int modelVocab) {
        if (vocabSize() > modelVocab) {
            throw new ModelLoadException(
                    tokenizerFile,
                    "tokenizer has " + vocabSize() + " tokens but the model's vocabulary has only " + modelVocab
                            + ": wrong tokenizer for this model?");
        }
    }
}
