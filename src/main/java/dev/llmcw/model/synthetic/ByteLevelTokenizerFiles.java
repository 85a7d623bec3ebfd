package dev.llmcw.model.synthetic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A minimal but valid Hugging Face byte-level BPE tokenizer for synthetic models: ids 0..255 are the
 * bytes (as GPT-2's byte-to-unicode characters, so any text encodes), 256 = {@code <s>} (BOS),
 * 257 = {@code </s>} (EOS), then filler tokens {@code <synthetic_N>} (N = id) up to the vocabulary size.
 * There are no merges, so text encodes to one token per UTF-8 byte. tokenizer_config.json asks for BOS
 * and a Llama-3-style TemplateProcessing post-processor makes transformers prepend it too.
 */
public final class ByteLevelTokenizerFiles {
    public static final int BOS_ID = 256, EOS_ID = 257, FIRST_FILLER_ID = 258;
    public static final String BOS = "<s>", EOS = "</s>";

    private ByteLevelTokenizerFiles() {}

    /** GPT-2's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
    public static char[] byteToUnicode() {
        char[] m = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            m[b] = printable ? (char) b : (char) (256 + n++);
        }
        return m;
    }

    public static void write(Path dir, int vocabSize, int maxLength) throws IOException {
        if (vocabSize < FIRST_FILLER_ID) {
            throw new IllegalArgumentException(
                    "a byte-level vocabulary needs at least " + FIRST_FILLER_ID + " tokens, got " + vocabSize);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        var added = root.putArray("added_tokens");
        addSpecial(added.addObject(), BOS_ID, BOS);
        addSpecial(added.addObject(), EOS_ID, EOS);
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        // Same BOS template as Llama 3's tokenizer.json, so transformers prepends <s> as add_bos_token says.
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        var single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        var pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        var bosSpec = post.putObject("special_tokens").putObject(BOS);
        bosSpec.put("id", BOS);
        bosSpec.putArray("ids").add(BOS_ID);
        bosSpec.putArray("tokens").add(BOS);
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] bytes = byteToUnicode();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(bytes[b]), b);
        vocab.put(BOS, BOS_ID);
        vocab.put(EOS, EOS_ID);
        for (int id = FIRST_FILLER_ID; id < vocabSize; id++) vocab.put("<synthetic_" + id + ">", id);
        model.putArray("merges");
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), Json.MAPPER.writeValueAsString(root));

        ObjectNode cfg = Json.MAPPER.createObjectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", BOS);
        cfg.put("eos_token", EOS);
        cfg.put("add_bos_token", true);
        cfg.put("add_eos_token", false);
        cfg.put("clean_up_tokenization_spaces", false);
        cfg.put("model_max_length", maxLength);
        AtomicFiles.writeString(
                dir.resolve("tokenizer_config.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
    }

    private static void addSpecial(ObjectNode t, int id, String content) {
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }
}
