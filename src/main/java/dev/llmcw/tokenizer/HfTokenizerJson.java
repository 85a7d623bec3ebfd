package dev.llmcw.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face tokenizer.json with a BPE model. Byte-level tokenizers (a ByteLevel
 * pre-tokenizer or decoder: GPT-2, Llama 3, Qwen2, SmolLM) become {@link ByteLevelBpeTokenizer};
 * SentencePiece-style ones (byte_fallback, "▁" via a Replace/Prepend normalizer or a Metaspace
 * pre-tokenizer: Llama 2, TinyLlama, Mistral) become {@link SentencePieceBpeTokenizer} with the merges
 * list as merge order. tokenizer_config.json, when given, decides BOS/EOS and add_bos_token.
 */
final class HfTokenizerJson {
    private HfTokenizerJson() {}

    static Tokenizer read(Path file, Path configFile) {
        JsonNode root = TokenizerFiles.readJson(file);
        JsonNode model = root.path("model");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE"))
            throw new ModelLoadException(file, "tokenizer model type " + type + " is not supported (only BPE)");
        if (!model.path("merges").isMissingNode() && !model.path("merges").isArray()) {
            throw new ModelLoadException(file, "model.merges is not an array");
        }
        String[] base = TokenizerFiles.tokensFromVocab(file, model.path("vocab"));
        // Added tokens may extend the vocabulary beyond model.vocab.
        Map<String, Integer> added = new HashMap<>();
        int size = base.length;
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt(-1);
            String content = t.path("content").asText(null);
            if (id < 0 || content == null || id > 1 << 22)
                throw new ModelLoadException(file, "added token without a valid id/content: " + t);
            added.put(content, id);
            size = Math.max(size, id + 1);
        }
        String[] tokens = Arrays.copyOf(base, size);
        added.forEach((c, id) -> tokens[id] = c);
        for (int i = 0; i < size; i++) {
            if (tokens[i] == null)
                throw new ModelLoadException(file, "token id " + i + " is missing from model.vocab and added_tokens");
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isTextual()) merges.add(m.asText());
            else if (m.isArray() && m.size() == 2)
                merges.add(m.get(0).asText() + " " + m.get(1).asText());
            else throw new ModelLoadException(file, "merge rule is neither \"a b\" nor [a, b]: " + m);
        }
        JsonNode config = configFile == null ? null : TokenizerFiles.readJson(configFile);

        int bos = specialId(tokens, config, "bos_token", firstTemplateToken(root, added), "<s>", "<|begin_of_text|>");
        int eos = specialId(tokens, config, "eos_token", null, "</s>", "<|end_of_text|>", "<|endoftext|>");
        int unk = model.hasNonNull("unk_token")
                ? indexOf(tokens, model.get("unk_token").asText())
                : -1;
        boolean byteLevel =
                hasType(root.path("pre_tokenizer"), "ByteLevel") || hasType(root.path("decoder"), "ByteLevel");
        Boolean configBos = config != null
                        && config.has("add_bos_token")
                        && config.get("add_bos_token").isBoolean()
                ? config.get("add_bos_token").asBoolean()
                : null;
        boolean templateBos = firstTemplateToken(root, added) != null;
        String[] mergeArray = merges.toArray(String[]::new);
        try {
            if (byteLevel) {
                JsonNode bl = find(root.path("pre_tokenizer"), "ByteLevel");
                boolean prefix = bl != null && bl.path("add_prefix_space").asBoolean(false);
                boolean[] skip = new boolean[size];
                for (JsonNode t : root.path("added_tokens"))
                    if (t.path("special").asBoolean(false)) skip[t.path("id").asInt()] = true;
                var preTokenizer = new ByteLevelBpeTokenizer.PreTokenizer(
                        splitRegexes(file, root.path("pre_tokenizer")),
                        prefix,
                        model.path("ignore_merges").asBoolean(false),
                        normalization(file, root.path("normalizer")));
                return new ByteLevelBpeTokenizer(
                        tokens,
                        mergeArray,
                        preTokenizer,
                        new SpecialTokenIds(added, bos, eos, unk, configBos != null ? configBos : templateBos),
                        skip);
            }
            JsonNode metaspace = find(root.path("pre_tokenizer"), "Metaspace");
            SentencePieceBpeTokenizer.PrefixMode prefix = hasType(root.path("normalizer"), "Prepend")
                    ? SentencePieceBpeTokenizer.PrefixMode.ALWAYS
                    : metaspacePrefix(metaspace);
            boolean split = metaspace != null && metaspace.path("split").asBoolean(true);
            int[] types = new int[size];
            for (int i = 0; i < size; i++) {
                types[i] = i == unk
                        ? SentencePieceBpeTokenizer.UNKNOWN
                        : SentencePieceBpeTokenizer.byteValue(tokens[i]) >= 0
                                ? SentencePieceBpeTokenizer.BYTE
                                : SentencePieceBpeTokenizer.NORMAL;
            }
            for (JsonNode t : root.path("added_tokens")) {
                if (t.path("special").asBoolean(false)) types[t.path("id").asInt()] = SentencePieceBpeTokenizer.CONTROL;
            }
            return new SentencePieceBpeTokenizer(
                    SentencePieceBpeTokenizer.Vocabulary.ranked(tokens, types, mergeArray),
                    new SpecialTokenIds(added, bos, eos, unk, configBos != null ? configBos : true),
                    prefix,
                    split);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file, e.getMessage(), e);
        }
    }

    /** Metaspace's prepend_scheme (or the older add_prefix_space flag) as a prefix mode. */
    private static SentencePieceBpeTokenizer.PrefixMode metaspacePrefix(JsonNode ms) {
        if (ms == null) return SentencePieceBpeTokenizer.PrefixMode.NONE;
        String scheme = ms.has("prepend_scheme")
                ? ms.get("prepend_scheme").asText()
                : ms.path("add_prefix_space").asBoolean(true) ? "always" : "never";
        return switch (scheme) {
            case "first" -> SentencePieceBpeTokenizer.PrefixMode.FIRST_UNLESS_SPACE;
            case "never" -> SentencePieceBpeTokenizer.PrefixMode.NONE;
            default -> SentencePieceBpeTokenizer.PrefixMode.UNLESS_SPACE;
        };
    }

    /**
     * The pre-tokenizer of a byte-level tokenizer as a list of splitting regexes: Split (Isolated),
     * Digits, and ByteLevel with use_regex (GPT-2's regex), alone or in a Sequence.
     */
    private static List<String> splitRegexes(Path file, JsonNode pre) {
        List<String> out = new ArrayList<>();
        if (pre == null || pre.isMissingNode() || pre.isNull()) return out;
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(pre.path("type").asText()))
            pre.path("pretokenizers").forEach(steps::add);
        else steps.add(pre);
        for (JsonNode step : steps) {
            String type = step.path("type").asText();
            switch (type) {
                case "ByteLevel" -> {
                    // The prefix space is added to each piece that reaches this step; we support it only
                    // where that is the whole text piece, i.e. when ByteLevel comes first.
                    if (step.path("add_prefix_space").asBoolean(false) && !out.isEmpty()) {
                        throw new ModelLoadException(
                                file, "ByteLevel add_prefix_space after another pre-tokenizer is not supported");
                    }
                    if (step.path("use_regex").asBoolean(true)) out.add(ByteLevelBpeTokenizer.GPT2_REGEX);
                }
                case "Digits" ->
                    out.add(step.path("individual_digits").asBoolean(false) ? TokenizerFiles.DIGIT_REGEX : "\\p{N}+");
                case "Split" -> {
                    String behavior = step.path("behavior").asText("Isolated");
                    if (!behavior.equals("Isolated") || step.path("invert").asBoolean(false)) {
                        throw new ModelLoadException(
                                file,
                                "Split pre-tokenizer with behavior " + behavior + " is not supported (only Isolated)");
                    }
                    JsonNode pattern = step.path("pattern");
                    String regex = pattern.has("Regex")
                            ? pattern.get("Regex").asText()
                            : Pattern.quote(pattern.path("String").asText());
                    try {
                        Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
                    } catch (PatternSyntaxException e) {
                        throw new ModelLoadException(
                                file, "pre-tokenizer regex cannot be compiled: " + e.getDescription());
                    }
                    out.add(regex);
                }
                default ->
                    throw new ModelLoadException(
                            file, "pre-tokenizer " + type + " is not supported with a byte-level model");
            }
        }
        return out;
    }

    /** NFC/NFKC/NFD/NFKD normalizers (Qwen2 uses NFC); others are not supported for byte-level models. */
    private static Normalizer.Form normalization(Path file, JsonNode norm) {
        if (norm == null || norm.isMissingNode() || norm.isNull()) return null;
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(norm.path("type").asText()))
            norm.path("normalizers").forEach(steps::add);
        else steps.add(norm);
        Normalizer.Form form = null;
        for (JsonNode step : steps) {
            String type = step.path("type").asText();
            Normalizer.Form f = switch (type) {
                case "NFC" -> Normalizer.Form.NFC;
                case "NFKC" -> Normalizer.Form.NFKC;
                case "NFD" -> Normalizer.Form.NFD;
                case "NFKD" -> Normalizer.Form.NFKD;
                default ->
                    throw new ModelLoadException(
                            file, "normalizer " + type + " is not supported with a byte-level model");
            };
            if (form != null && form != f)
                throw new ModelLoadException(file, "several different Unicode normalizers are not supported");
            form = f;
        }
        return form;
    }

    /** The first SpecialToken of post_processor's single-sequence template (the BOS it adds), or null. */
    private static Integer firstTemplateToken(JsonNode root, Map<String, Integer> added) {
        JsonNode tp = find(root.path("post_processor"), "TemplateProcessing");
        if (tp == null) return null;
        JsonNode first = tp.path("single").path(0);
        if (!first.has("SpecialToken")) return null;
        return added.get(first.get("SpecialToken").path("id").asText());
    }

    private static int specialId(String[] tokens, JsonNode config, String key, Integer fallback, String... names) {
        if (config != null && config.has(key)) {
            JsonNode v = config.get(key);
            if (v.isNull()) return -1;
            String content = v.isTextual() ? v.asText() : v.path("content").asText(null);
            if (content != null) {
                int id = indexOf(tokens, content);
                if (id >= 0) return id;
            }
        }
        if (fallback != null) return fallback;
        for (String n : names) {
            int id = indexOf(tokens, n);
            if (id >= 0) return id;
        }
        return -1;
    }

    private static int indexOf(String[] tokens, String t) {
        Integer i = TokenizerFiles.indexOf(tokens, t);
        return i == null ? -1 : i;
    }

    private static boolean hasType(JsonNode node, String type) {
        return find(node, type) != null;
    }

    /** The node of the given "type" in node or, for Sequence nodes, among its children. */
    private static JsonNode find(JsonNode node, String type) {
        if (node == null || node.isMissingNode() || node.isNull()) return null;
        if (type.equals(node.path("type").asText())) return node;
        for (String list : new String[] {"pretokenizers", "normalizers", "decoders", "processors"}) {
            for (JsonNode child : node.path(list)) {
                JsonNode f = find(child, type);
                if (f != null) return f;
            }
        }
        return null;
    }
}
