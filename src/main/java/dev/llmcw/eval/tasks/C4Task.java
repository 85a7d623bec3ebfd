package dev.llmcw.eval.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.MissingSplit;
import dev.llmcw.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The papers' C4 validation perplexity (GPTQ's "c4_new", used by QuIP# and CALDERA): the first
 * {@value #DOCUMENTS} documents of allenai/c4 en {@code c4-validation.00000-of-00008.json.gz} joined with
 * " ", tokenised once and cut into non-overlapping max-length chunks; perplexity = exp(mean token NLL),
 * scored like {@link WikiText2PapersTask}. The papers then keep the first 256 chunks: the chunked
 * scorer keeps all of them, so pass --limit 256 (first 256 chunks) to match that cut.
 */
public final class C4Task implements PerplexityTask {
    /** GPTQ's valdata[:1100]. */
    public static final int DOCUMENTS = 1100;

    static final List<String> FILES =
            List.of("c4-validation.00000-of-00008.json.gz", "c4-validation.00000-of-00008.json");

    @Override
    public String name() {
        return "c4";
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
        Path f = MissingSplit.require(
                dataDir, name(), "C4 en validation shard 0", "c4", List.of("c4", "c4/en", "en"), FILES);
        return List.of(TextDoc.of("validation", String.join(" ", texts(f, DOCUMENTS))));
    }

    /** The "text" of the first {@code max} JSON lines of a C4 shard (gzip-compressed when the name ends in .gz). */
    public static List<String> texts(Path file, int max) {
        List<String> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line; out.size() < max && (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new DatasetException(file, lineNo, "malformed JSON", e);
                }
                JsonNode t = n == null ? null : n.get("text");
                if (t == null || !t.isTextual())
                    throw new DatasetException(file, lineNo, "missing string field \"text\"");
                out.add(t.asText());
            }
        } catch (IOException e) {
            throw new DatasetException(
                    file, "cannot read (not a gzip-compressed JSON Lines file?): " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw new DatasetException(file, "no documents");
        return out;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(
                "protocol",
                "papers (GPTQ c4_new): \" \".join(first " + DOCUMENTS
                        + " validation documents), non-overlapping max-length chunks, exp(mean token NLL)");
        d.put("papers_cut", "the papers score the first 256 chunks: --limit 256");
        return d;
    }
}
