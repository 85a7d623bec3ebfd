package dev.llmcw.eval.tasks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * lm-eval's wikitext task (version 2.0): documents are WikiText-2 raw test articles split at top-level
 * headings as in EleutherAI/wikitext_document_level; each is detokenised (doc_to_target) and scored with
 * loglikelihood_rolling; words and bytes are counted on the page BEFORE detokenisation, as lm-eval does.
 * Reports word_perplexity, byte_perplexity, bits_per_byte. See {@link WikiText} for the blank-line
 * reconstruction of the shared file.
 */
public final class WikiTextTask implements PerplexityTask {
    @Override
    public String name() {
        return "wikitext";
    }

    @Override
    public String version() {
        return "2.0";
    }

    @Override
    public Protocol protocol() {
        return Protocol.ROLLING;
    }

    @Override
    public List<TextDoc> load(Path dataDir) {
        return documents(WikiText.rows(WikiText.find(dataDir)));
    }

    public static List<TextDoc> documents(List<String> rows) {
        List<TextDoc> docs = new ArrayList<>();
        for (String page : WikiText.pages(rows)) {
            docs.add(new TextDoc(
                    Integer.toString(docs.size()),
                    WikiText.detokenize(page),
                    TextDoc.pythonSplitCount(page),
                    page.getBytes(StandardCharsets.UTF_8).length));
        }
        return docs;
    }

    @Override
    public Map<String, String> details() {
        return Map.of("protocol", "lm-eval loglikelihood_rolling over wikitext_document_level articles");
    }
}
