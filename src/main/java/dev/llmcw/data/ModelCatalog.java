package dev.llmcw.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalogue of small real models offered for download (resource {@code model-catalog.json}). */
public final class ModelCatalog {
    /**
     * One downloadable model.
     *
     * @param format      "hf-safetensors" (a Hugging Face folder) or "llama2c" (single checkpoint file)
     * @param files       explicit files to fetch from the repo (null = list them through the Hub API)
     * @param extraUrls   more files from elsewhere, by local file name (e.g. a llama2.c tokenizer)
     * @param approxBytes approximate size of the weights
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Entry(
            String id,
            String repo,
            String revision,
            String format,
            List<String> files,
            String parameters,
            long approxBytes,
            String dtype,
            boolean gated,
            String licence,
            Map<String, String> extraUrls,
            String note) {
        public Entry {
            files = files == null ? null : List.copyOf(files);
            extraUrls = extraUrls == null ? Map.of() : Map.copyOf(extraUrls);
            if (revision == null || revision.isBlank()) revision = "main";
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Doc(List<Entry> models) {}

    private ModelCatalog() {}

    public static List<Entry> entries() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("model-catalog.json")) {
            if (in == null) throw new IllegalStateException("resource dev/llmcw/data/model-catalog.json is missing");
            return List.copyOf(Json.MAPPER.readValue(in, Doc.class).models());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model-catalog.json: " + e.getMessage(), e);
        }
    }

    /** Finds an entry by id ("stories15m") or repository ("HuggingFaceTB/SmolLM2-135M"), case-insensitively. */
    public static Optional<Entry> find(String idOrRepo) {
        return entries().stream()
                .filter(e ->
                        e.id().equalsIgnoreCase(idOrRepo) || e.repo().equalsIgnoreCase(idOrRepo) && e.files() == null)
                .findFirst();
    }
}
