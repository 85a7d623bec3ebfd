package dev.llmcw.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The file listing the Hub API answers for a model revision ({@code siblings}, with {@code blobs=true}
 * sizes and LFS sha256s), read defensively: an entry without a usable field is one sentence naming the
 * repository and the field, never a NullPointerException.
 */
final class HubListing {
    private HubListing() {}

    /** A listed file: its sha256 (LFS files only, else null) and size in bytes (-1 when not given). */
    record Listed(String sha256, long size) {}

    /** @return file name → listed file, in the answer's order; null when the answer has no "siblings" array */
    static Map<String, Listed> parse(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new DownloadException(
                    source + ": the hub's file listing is not valid JSON: " + e.getMessage(), -1, e);
        }
        JsonNode siblings = root == null ? null : root.get("siblings");
        if (siblings == null || !siblings.isArray()) return null;
        Map<String, Listed> out = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode s : siblings) {
            JsonNode name = s.get("rfilename");
            if (name == null || !name.isTextual()) {
                throw new DownloadException(
                        source + ": entry " + i + " of the hub's file listing has no \"rfilename\" text");
            }
            JsonNode lfs = s.get("lfs");
            String sha = null;
            long size = s.path("size").canConvertToLong() && s.path("size").isIntegralNumber()
                    ? s.get("size").asLong()
                    : -1;
            if (lfs != null && lfs.isObject()) {
                JsonNode h = lfs.get("sha256");
                if (h != null && !h.isNull()) {
                    if (!h.isTextual()) {
                        throw new DownloadException(source + ": \"lfs.sha256\" of " + name.asText()
                                + " in the hub's file listing is not text");
                    }
                    sha = h.asText();
                }
                if (lfs.path("size").isIntegralNumber()) size = lfs.get("size").asLong();
            }
            out.put(name.asText(), new Listed(sha, size));
            i++;
        }
        return out;
    }
}
