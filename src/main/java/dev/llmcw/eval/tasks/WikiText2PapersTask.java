package dev.llmcw.eval.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The papers' "WikiText-2 perplexity" (GPTQ, SeedLM, CALDERA code): the test split's rows (Hugging Face
 * wikitext-2-raw-v1, blank rows as "", others ending in "\n") joined with "\n\n", tokenised once, cut into
 * non-overlapping max-length chunks; perplexity = exp(mean token NLL). Not lm-eval's wikitext. Blank rows
 * are restored around headings (see {@link WikiText}), so numbers are close to, not byte-identical with,
 * runs on the original split.
 */
public final class WikiText2PapersTask implements PerplexityTask {
    @Override
    public String name() {
        return "wikitext2_ppl";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public Protocol protocol() {
        return Protocol.CHUNKED;
    }

    @Override
    public List<TextDoc> load(Path dataDir) {
        List<String> rows = new ArrayList<>();
        for (String r : WikiText.rows(WikiText.find(dataDir))) rows.add(r.isBlank() ? "" : r + "\n");
        return List.of(TextDoc.of("test", String.join("\n\n", rows)));
    }

    @Override
    public Map<String, String> details() {
        return Map.of(
                "protocol",
                "papers (GPTQ): \"\\n\\n\".join(test rows), non-overlapping max-length chunks, exp(mean token NLL)");
    }
}
