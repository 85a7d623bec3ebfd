package dev.llmcw.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.llmcw.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Description of one evaluation dataset ({@code datasets/<name>/manifest.json}): where it comes from,
 * its licence, and three layouts of its files — {@code upstream} (what {@code download dataset}
 * fetches), {@code shared} (the normalized copies in the shared data folder) and {@code sample}
 * (small original files in the repository, for the demo and tests). Each layout names a format id
 * that tells the task reader how to parse the files:
 * <ul>
 *   <li>{@code piqa-jsonl+labels}: {goal, sol1, sol2} per line + a labels file (0/1 per line)</li>
 *   <li>{@code hellaswag-jsonl}: upstream rows {activity_label, ctx_a, ctx_b, ctx, endings[4], label}</li>
 *   <li>{@code hellaswag-llamacpp-txt}: 6 lines per item (context, gold index, 4 endings), preprocessed</li>
 *   <li>{@code arc-jsonl}: {id, question:{stem, choices:[{text, label}]}, answerKey}</li>
 *   <li>{@code arc-normalized-jsonl}: {question, choices:[...], label (index)}</li>
 *   <li>{@code winogrande-jsonl}: {qID, sentence (with _), option1, option2, answer "1"/"2"} (+ labels file)</li>
 *   <li>{@code winogrande-normalized-jsonl+labels}: the same fields + the official labels file</li>
 *   <li>{@code boolq-superglue-jsonl}: {question, passage, idx, label} (label boolean or "true"/"false")</li>
 *   <li>{@code wikitext-raw}: WikiText raw text, articles start with {@code " = Title = "} lines</li>
 *   <li>{@code wikitext-raw-nonempty-crlf}: the same with empty lines removed and CRLF line ends</li>
 *   <li>{@code tinystories-eot-txt}: stories separated by {@code <|endoftext|>} lines</li>
 *   <li>{@code tinystories-blankline-txt}: stories separated by blank lines</li>
 *   <li>{@code glue-rte-tsv}: GLUE's dev.tsv, header index, sentence1, sentence2, label (entailment/not_entailment)</li>
 *   <li>{@code rte-hf-jsonl}: {sentence1, sentence2, label (0 = entailment), idx}, as Hugging Face datasets exports glue/rte</li>
 *   <li>{@code lambada-openai-jsonl}: {text} per line; the last space-separated word is the target</li>
 *   <li>{@code c4-json-gz}: gzip-compressed JSON Lines {text, timestamp, url}</li>
 * </ul>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetManifest(
        String name,
        String title,
        String task,
        String split,
        Integer items,
        String itemsNote,
        String licence,
        String homepage,
        HuggingFace huggingFace,
        Layout upstream,
        SharedLayout shared,
        SampleLayout sample) {

    /** The dataset on the Hugging Face Hub (for reference; files are fetched from {@code upstream}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HuggingFace(String repo, String config, String split) {
        public String pageUrl() {
            return "https://huggingface.co/datasets/" + repo;
        }
    }

    /**
     * One file. {@code sha256} null = unknown. {@code archiveEntry}: the file is that entry (matched
     * by path suffix) of the zip at {@code url}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileRef(
            String name, String url, String sha256, Long bytes, String archiveEntry, String source, String note) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Layout(String format, List<FileRef> files, String note) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SharedLayout(String folder, String format, List<FileRef> files, String note) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SampleLayout(String format, Integer items, List<FileRef> files, String note) {}

    public static DatasetManifest read(Path file) {
        DatasetManifest m;
        try {
            m = Json.MAPPER.readValue(Files.readString(file), DatasetManifest.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": invalid dataset manifest: " + e.getMessage(), e);
        }
        if (m.name() == null || m.name().isBlank())
            throw new IllegalArgumentException(file + ": dataset manifest has no \"name\"");
        if (m.upstream() == null
                || m.upstream().files() == null
                || m.upstream().files().isEmpty())
            throw new IllegalArgumentException(file + ": dataset manifest \"" + m.name() + "\" has no upstream files");
        for (FileRef f : m.upstream().files())
            if (f.name() == null || f.url() == null)
                throw new IllegalArgumentException(
                        file + ": upstream file of \"" + m.name() + "\" needs \"name\" and \"url\"");
        SampleLayout s = m.sample();
        if (s != null
                && s.items() != null
                && s.files() != null
                && s.files().stream().allMatch(f -> f.name() != null)) {
            Path dir = file.toAbsolutePath().getParent();
            checkItems(
                    file,
                    s.format(),
                    s.files().stream().map(f -> dir.resolve(f.name())).toList(),
                    s.items());
        }
        return m;
    }

    /**
     * Refuses files whose item count differs from the count the manifest declares for them: a sample or a
     * copy with items missing (or extra) would otherwise be evaluated and reported as the whole set. Formats
     * whose items cannot be counted from the text alone are not checked; missing files are left to the
     * caller that needs them.
     *
     * @throws IllegalArgumentException naming the manifest, the file, the declared and the actual count
     */
    public static void checkItems(Path manifest, String format, List<Path> files, int declared) {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) return;
            Integer actual = countItems(format, f);
            if (actual != null && actual != declared) {
                throw new IllegalArgumentException(manifest + ": declares " + declared + " items but " + f.getFileName()
                        + " holds " + actual + " (format " + format + ")");
            }
        }
    }

    /** Items in one file of {@code format}, or null when that file's items are not countable line by line. */
    static Integer countItems(String format, Path file) {
        if (format == null) return null;
        String name = file.getFileName().toString();
        // decided before reading: a file whose items cannot be counted line by line is not read at all
        Function<List<String>, Integer> count;
        if (name.endsWith(".jsonl") || name.endsWith(".lst") || name.endsWith(".json.gz"))
            count = lines -> (int) lines.stream().filter(l -> !l.isBlank()).count();
        else
            count = switch (format) {
                case "glue-rte-tsv" ->
                    lines -> (int) lines.stream().filter(l -> !l.isBlank()).count() - 1; // a header line
                case "hellaswag-llamacpp-txt" ->
                    lines -> (int) lines.stream().filter(l -> !l.isBlank()).count() / 6;
                case "tinystories-eot-txt" -> DatasetManifest::eotSeparated;
                case "wikitext-raw", "wikitext-raw-nonempty-crlf" ->
                    lines -> (int) lines.stream()
                            .filter(DatasetManifest::isArticleTitle)
                            .count();
                default -> null;
            };
        if (count == null) return null;
        try {
            return count.apply(readLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's lines; a .gz file is read through its decompression (C4's shards are gzipped JSON lines). */
    private static List<String> readLines(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".gz")) return Files.readAllLines(file);
        try (var in = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            return in.lines().toList();
        }
    }

    /** Non-empty stories between {@code <|endoftext|>} lines. */
    private static int eotSeparated(List<String> lines) {
        int n = 0;
        boolean text = false;
        for (String l : lines) {
            if (l.strip().equals("<|endoftext|>")) {
                if (text) n++;
                text = false;
            } else if (!l.isBlank()) {
                text = true;
            }
        }
        return text ? n + 1 : n;
    }

    /** " = Title = " starts a WikiText article; " = = Section = = " does not. */
    private static boolean isArticleTitle(String line) {
        String t = line.strip();
        return t.length() > 4 && t.startsWith("= ") && t.endsWith(" =") && !t.startsWith("= =");
    }
}
