package dev.llmcw.model.gguf;

import dev.llmcw.tokenizer.ByteLevelBpeTokenizer;
import dev.llmcw.tokenizer.SentencePieceBpeTokenizer;
import dev.llmcw.tokenizer.SpecialTokenIds;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.tokenizer.TokenizerFiles;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer a GGUF file carries in its metadata ({@code tokenizer.ggml.*}), read and written the way
 * llama.cpp does. It lives with the GGUF format, not in {@code tokenizer}, so that the tokenizers stay
 * independent of every model file format.
 */
public final class GgufTokenizers {
    private GgufTokenizers() {}

    /** Tokenizer stored in GGUF metadata (tokenizer.ggml.model "llama" or "gpt2"). */
    public static Tokenizer fromMetadata(GgufFile g) {
        String model = g.getString("tokenizer.ggml.model");
        String[] tokens = g.getStrings("tokenizer.ggml.tokens");
        int[] types = g.has("tokenizer.ggml.token_type") ? g.getInts("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != tokens.length) {
            throw new ModelLoadException(
                    g.path(),
                    "tokenizer.ggml.token_type has " + types.length + " entries for " + tokens.length + " tokens");
        }
        int bos = g.getInt("tokenizer.ggml.bos_token_id", -1);
        int eos = g.getInt("tokenizer.ggml.eos_token_id", -1);
        int unk = g.getInt("tokenizer.ggml.unknown_token_id", -1);
        for (int id : new int[] {bos, eos, unk}) {
            if (id >= tokens.length)
                throw new ModelLoadException(
                        g.path(), "special token id " + id + " is outside the " + tokens.length + "-token vocabulary");
        }
        try {
            switch (model) {
                case "llama" -> {
                    float[] scores = g.has("tokenizer.ggml.scores")
                            ? g.getFloats("tokenizer.ggml.scores")
                            : new float[tokens.length];
                    if (scores.length != tokens.length)
                        throw new ModelLoadException(
                                g.path(),
                                "tokenizer.ggml.scores has " + scores.length + " entries for " + tokens.length
                                        + " tokens");
                    // llama.cpp always splits off user-defined tokens; control tokens only when asked to parse
                    // specials.
                    Map<String, Integer> specials = new HashMap<>();
                    if (types != null) {
                        for (int i = 0; i < tokens.length; i++)
                            if (types[i] == SentencePieceBpeTokenizer.USER_DEFINED) specials.put(tokens[i], i);
                    }
                    return new SentencePieceBpeTokenizer(
                            SentencePieceBpeTokenizer.Vocabulary.scored(tokens, scores, types),
                            new SpecialTokenIds(
                                    specials, bos, eos, unk, g.getBool("tokenizer.ggml.add_bos_token", true)),
                            g.getBool("tokenizer.ggml.add_space_prefix", true));
                }
                case "gpt2" -> {
                    String[] merges = g.getStrings("tokenizer.ggml.merges");
                    String pre = g.getString("tokenizer.ggml.pre", "default");
                    Map<String, Integer> specials = new HashMap<>();
                    boolean[] skip = new boolean[tokens.length];
                    if (types != null) {
                        for (int i = 0; i < tokens.length; i++) {
                            if (types[i] == SentencePieceBpeTokenizer.CONTROL
                                    || types[i] == SentencePieceBpeTokenizer.USER_DEFINED) specials.put(tokens[i], i);
                            skip[i] = types[i] == SentencePieceBpeTokenizer.CONTROL;
                        }
                    }
                    // llama.cpp takes a whole word from the vocabulary before merging for Llama 3 (ignore_merges).
                    boolean ignoreMerges =
                            regexesForPre(g.path(), pre).equals(List.of(ByteLevelBpeTokenizer.LLAMA3_REGEX));
                    var preTokenizer = new ByteLevelBpeTokenizer.PreTokenizer(
                            regexesForPre(g.path(), pre), false, ignoreMerges, null);
                    return new ByteLevelBpeTokenizer(
                            tokens,
                            merges,
                            preTokenizer,
                            new SpecialTokenIds(
                                    specials, bos, eos, unk, g.getBool("tokenizer.ggml.add_bos_token", false)),
                            skip);
                }
                default ->
                    throw new ModelLoadException(
                            g.path(),
                            "tokenizer.ggml.model \"" + model + "\" is not supported (supported: llama, gpt2)");
            }
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(g.path(), e.getMessage(), e);
        }
    }

    /** Pre-tokenizer regexes for a GGUF tokenizer.ggml.pre name (llama.cpp's LLAMA_VOCAB_PRE_TYPE_*). */
    static List<String> regexesForPre(Path file, String pre) {
        return switch (pre) {
            // "default" (and files without the key, such as GPT-NeoX) get GPT-2's regex, which is what
            // the Hugging Face ByteLevel pre-tokenizer of those models does.
            case "gpt-2", "gpt2", "default" -> List.of(ByteLevelBpeTokenizer.GPT2_REGEX);
            case "llama-bpe", "llama3", "llama-v3", "smaug-bpe" -> List.of(ByteLevelBpeTokenizer.LLAMA3_REGEX);
            case "qwen2", "deepseek-r1-qwen" -> List.of(ByteLevelBpeTokenizer.QWEN2_REGEX);
            // SmolLM: Digits(individual_digits) then GPT-2's ByteLevel regex
            case "smollm" -> List.of(TokenizerFiles.DIGIT_REGEX, ByteLevelBpeTokenizer.GPT2_REGEX);
            default ->
                throw new ModelLoadException(
                        file,
                        "tokenizer.ggml.pre \"" + pre
                                + "\" is not supported (supported: gpt-2, default, llama-bpe/llama3, qwen2, smollm)");
        };
    }

    /** The tokenizer.ggml.pre name that reproduces a byte-level tokenizer's pre-tokenization, or null. */
    public static String preName(ByteLevelBpeTokenizer t) {
        if (t.normalization() != null) return null;
        List<String> r = t.preTokenizerRegexes();
        if (r.equals(List.of(ByteLevelBpeTokenizer.GPT2_REGEX)) && !t.ignoresMerges()) return "gpt-2";
        if (r.equals(List.of(ByteLevelBpeTokenizer.LLAMA3_REGEX)) && t.ignoresMerges()) return "llama-bpe";
        if (r.equals(List.of(ByteLevelBpeTokenizer.QWEN2_REGEX)) && !t.ignoresMerges()) return "qwen2";
        if (r.equals(List.of(TokenizerFiles.DIGIT_REGEX, ByteLevelBpeTokenizer.GPT2_REGEX)) && !t.ignoresMerges())
            return "smollm";
        return null;
    }
}
