package dev.llmcw.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.FileMagic;
import dev.llmcw.util.Json;
import dev.llmcw.util.JsonSideFiles;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Entry points for reading tokenizers from files: llama2.c tokenizer.bin, Hugging Face tokenizer.json
 * (+ tokenizer_config.json), GGUF metadata, and GPT-2's encoder.json + vocab.bpe.
 */
public final class TokenizerFiles {
    private TokenizerFiles() {}

    /**
     * llama2.c tokenizer export (tok512.bin, tokenizer.bin): int32 max_token_length, then per token a
     * float32 score, an int32 byte length and the bytes. The export wrote "▁" as a space and BOS/EOS as
     * "\n&lt;s&gt;\n" / "\n&lt;/s&gt;\n"; ids 0/1/2 are unk/BOS/EOS as in SentencePiece.
     */
    public static Tokenizer llama2c(Path tokenizerBin, int vocabSize) {
        if (vocabSize <= 0 || vocabSize > 1 << 22)
            throw new ModelLoadException(tokenizerBin, "implausible vocabulary size " + vocabSize);
        return llama2c(tokenizerBin, vocabSize, false);
    }

    /** llama2.c tokenizer export with as many tokens as the file holds (when no model says how many). */
    public static Tokenizer llama2c(Path tokenizerBin) {
        return llama2c(tokenizerBin, 1 << 22, true);
    }

    private static Tokenizer llama2c(Path tokenizerBin, int vocabSize, boolean toEnd) {
        ByteBuffer buf = ByteBuffer.wrap(JsonSideFiles.readBytes(tokenizerBin, "llama2.c tokenizer"))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 4) throw new ModelLoadException(tokenizerBin, "file too short for a llama2.c tokenizer");
        int maxLen = buf.getInt();
        if (maxLen <= 0 || maxLen > 1 << 16)
            throw new ModelLoadException(tokenizerBin, "implausible max_token_length " + maxLen);
        var pieceList = new ArrayList<String>();
        var scoreList = new ArrayList<Float>();
        for (int i = 0; i < vocabSize; i++) {
            if (toEnd && !buf.hasRemaining()) break;
            if (buf.remaining() < 8) {
                throw new ModelLoadException(
                        tokenizerBin, "ends after " + i + " tokens but the model's vocabulary has " + vocabSize);
            }
            scoreList.add(buf.getFloat());
            int len = buf.getInt();
            if (len > buf.remaining() && len <= maxLen) {
                throw new ModelLoadException(
                        tokenizerBin,
                        "ends inside token " + i + " but the model's vocabulary has " + vocabSize + " tokens");
            }
            if (len < 0 || len > maxLen) {
                throw new ModelLoadException(
                        tokenizerBin, "token " + i + " has length " + len + " (max_token_length " + maxLen + ")");
            }
            byte[] b = new byte[len];
            buf.get(b);
            String s = new String(b, StandardCharsets.UTF_8);
            if (i == 1 && s.equals("\n<s>\n")) s = "<s>";
            else if (i == 2 && s.equals("\n</s>\n")) s = "</s>";
            else s = s.replace(" ", SentencePieceBpeTokenizer.SPACE);
            pieceList.add(s);
        }
        if (pieceList.size() < 3)
            throw new ModelLoadException(tokenizerBin, "holds only " + pieceList.size() + " tokens");
        String[] pieces = pieceList.toArray(String[]::new);
        float[] scores = new float[pieces.length];
        for (int i = 0; i < scores.length; i++) scores[i] = scoreList.get(i);
        return new SentencePieceBpeTokenizer(
                SentencePieceBpeTokenizer.Vocabulary.scored(pieces, scores, null),
                new SpecialTokenIds(Map.of(), 1, 2, 0, true),
                true);
    }

    /**
     * Opens a tokenizer by looking at the path: a GGUF file, a tokenizer.json (tokenizer_config.json
     * beside it is used if present), a folder holding tokenizer.json or vocab.json + merges.txt, or a
     * llama2.c tokenizer .bin (all tokens in the file).
     */
    public static Tokenizer open(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("tokenizer.json"))) return open(path.resolve("tokenizer.json"));
            Path vocab = path.resolve("vocab.json"), merges = path.resolve("merges.txt");
            if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) return gpt2(vocab, merges);
            throw new ModelLoadException(path, "folder has neither tokenizer.json nor vocab.json + merges.txt");
        }
        if (!Files.isRegularFile(path)) throw new ModelLoadException(path, "no such file");
        if (FileMagic.startsWith(path, "GGUF"))
            throw new ModelLoadException(
                    path, "a GGUF file's tokenizer is read with the model layer (ModelLoader.openTokenizer)");
        String name = path.getFileName().toString();
        if (name.endsWith(".json")) {
            Path config = path.resolveSibling("tokenizer_config.json");
            return huggingFace(path, Files.isRegularFile(config) ? config : null);
        }
        return llama2c(path);
    }

    /** GPT-2's encoder.json (vocab.json) and vocab.bpe (merges.txt). */
    public static Tokenizer gpt2(Path vocabJson, Path merges) {
        JsonNode vocab = readJson(vocabJson);
        String[] tokens = tokensFromVocab(vocabJson, vocab);
        String[] mergeRules = readMergesTxt(merges);
        Integer eot = indexOf(tokens, "<|endoftext|>");
        int eos = eot == null ? -1 : eot;
        Map<String, Integer> specials = eot == null ? Map.of() : Map.of("<|endoftext|>", eot);
        boolean[] skip = new boolean[tokens.length];
        if (eos >= 0) skip[eos] = true;
        try {
            return new ByteLevelBpeTokenizer(
                    tokens,
                    mergeRules,
                    ByteLevelBpeTokenizer.PreTokenizer.regex(ByteLevelBpeTokenizer.GPT2_REGEX, false),
                    new SpecialTokenIds(specials, eos, eos, -1, false),
                    skip);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(merges, e.getMessage(), e);
        }
    }

    /** Hugging Face Digits(individual_digits=true) as a regex. */
    public static final String DIGIT_REGEX = "\\p{N}";

    /** Hugging Face tokenizer.json; tokenizerConfig (tokenizer_config.json) may be null. */
    public static Tokenizer huggingFace(Path tokenizerJson, Path tokenizerConfig) {
        return HfTokenizerJson.read(tokenizerJson, tokenizerConfig);
    }

    // ---- helpers shared with HfTokenizerJson ----

    static JsonNode readJson(Path file) {
        JsonSideFiles.requireSmall(file, "tokenizer JSON file");
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(file, "invalid JSON: " + e.getMessage(), e);
        }
    }

    /** vocab object {token: id} → array indexed by id; ids must be dense. */
    static String[] tokensFromVocab(Path file, JsonNode vocab) {
        if (vocab == null || !vocab.isObject())
            throw new ModelLoadException(file, "vocabulary is not a JSON object of token → id");
        int n = vocab.size();
        String[] tokens = new String[n];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            var e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0 || id >= n)
                throw new ModelLoadException(
                        file, "token " + e.getKey() + " has id " + e.getValue() + " outside 0.." + (n - 1));
            if (tokens[id] != null) throw new ModelLoadException(file, "id " + id + " is used by two tokens");
            tokens[id] = e.getKey();
        }
        return tokens;
    }

    static String[] readMergesTxt(Path file) {
        List<String> lines;
        JsonSideFiles.requireSmall(file, "merges file");
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (i == 0 && l.startsWith("#version")) continue;
            if (l.isEmpty()) continue;
            if (l.indexOf(' ') <= 0)
                throw new ModelLoadException(file, "line " + (i + 1) + " is not a merge rule \"left right\": " + l);
            out.add(l);
        }
        return out.toArray(String[]::new);
    }

    static Integer indexOf(String[] tokens, String t) {
        for (int i = 0; i < tokens.length; i++) if (t.equals(tokens[i])) return i;
        return null;
    }
}
