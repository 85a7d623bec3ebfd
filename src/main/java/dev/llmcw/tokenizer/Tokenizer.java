package dev.llmcw.tokenizer;

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
    default boolean addsBosByDefault() { return bosId() >= 0; }
}
