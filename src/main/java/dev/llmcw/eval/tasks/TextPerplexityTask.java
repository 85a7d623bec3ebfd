package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rolling-loglikelihood perplexity (lm-eval's loglikelihood_rolling, as for wikitext) of any text file
 * whose documents are separated by blank lines; "<|endoftext|>" lines also separate documents. Used as
 * tinystories_ppl on the TinyStories validation subset, the in-domain text of stories260K.
 */
public final class TextPerplexityTask implements PerplexityTask {
    private final String name;
    private final Path file; // explicit file, or null to look up by known names
    private final List<String> names;

    private TextPerplexityTask(String name, Path file, List<String> names) {
        this.name = name;
        this.file = file;
        this.names = names;
    }

    public static TextPerplexityTask tinyStories() {
        return new TextPerplexityTask(
                "tinystories_ppl",
                null,
                List.of("tinystories_val_subset.txt", "TinyStories-valid.txt", "tinystories_valid.txt"));
    }

    public static TextPerplexityTask ofFile(String name, Path file) {
        return new TextPerplexityTask(name, file, List.of());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public Protocol protocol() {
        return Protocol.ROLLING;
    }

    @Override
    public List<TextDoc> load(Path dataDir) {
        Path f =
                file != null ? file : DatasetFiles.require(dataDir, name, List.of("tinystories", "TinyStories"), names);
        return documents(f);
    }

    public static List<TextDoc> documents(Path f) {
        List<TextDoc> docs = new ArrayList<>();
        for (String d : splitDocuments(TextFiles.read(f))) docs.add(TextDoc.of(Integer.toString(docs.size()), d));
        if (docs.isEmpty()) throw new DatasetException(f, "no documents (documents are separated by blank lines)");
        return docs;
    }

    /** Documents separated by blank lines or "<|endoftext|>"; lines inside a document keep their "\n". */
    public static List<String> splitDocuments(String text) {
        List<String> docs = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            boolean sep = line.isBlank() || line.strip().equals("<|endoftext|>");
            if (sep) {
                if (!cur.isEmpty()) docs.add(cur.toString());
                cur.setLength(0);
            } else {
                if (!cur.isEmpty()) cur.append('\n');
                cur.append(line.strip());
            }
        }
        if (!cur.isEmpty()) docs.add(cur.toString());
        return docs;
    }

    @Override
    public Map<String, String> details() {
        return Map.of("protocol", "lm-eval loglikelihood_rolling per blank-line-separated document");
    }
}
