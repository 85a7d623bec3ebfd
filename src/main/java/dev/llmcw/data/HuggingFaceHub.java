package dev.llmcw.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Downloads from the Hugging Face Hub (or a mirror / test server: the endpoint is configurable,
 * like huggingface_hub's {@code HF_ENDPOINT}). Files come from
 * {@code {endpoint}/{repo}/resolve/{revision}/{file}}; a model download fetches config.json, the
 * tokenizer files and the safetensors weights (single file, or index + shards), verifying each LFS
 * file against the sha256 the Hub API lists for it.
 */
public final class HuggingFaceHub {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    /** Small files fetched when present: configuration and every tokenizer format we read. */
    static final List<String> CONFIG_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json", "vocab.json", "merges.txt",
            "added_tokens.json");

    private final String endpoint;
    private final Downloader downloader;

    /**
     * @param endpoint base URL, e.g. "https://huggingface.co" or "http://127.0.0.1:PORT"
     * @param token    access token for gated/private repos, or null
     */
    public HuggingFaceHub(String endpoint, String token, Downloader downloader) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.downloader = token == null || token.isBlank() ? downloader : downloader.withHeader("Authorization", "Bearer " + token);
    }

    /** Endpoint from {@code $HF_ENDPOINT} (default huggingface.co), token from {@code $HF_TOKEN}. */
    public static HuggingFaceHub standard() {
        String ep = System.getenv("HF_ENDPOINT");
        return new HuggingFaceHub(ep == null || ep.isBlank() ? DEFAULT_ENDPOINT : ep, System.getenv("HF_TOKEN"), Downloader.standard());
    }

    public URI resolveUrl(String repo, String revision, String file) {
        return URI.create(endpoint + "/" + repo + "/resolve/" + encodeRevision(revision) + "/" + file);
    }

    public URI datasetResolveUrl(String repo, String revision, String file) {
        return URI.create(endpoint + "/datasets/" + repo + "/resolve/" + encodeRevision(revision) + "/" + file);
    }

    URI listingUrl(String repo, String revision) {
        return URI.create(endpoint + "/api/models/" + repo + "/revision/" + encodeRevision(revision) + "?blobs=true");
    }

    private static String encodeRevision(String revision) {
        // "refs/pr/1" must stay one path segment
        return URLEncoder.encode(revision == null ? "main" : revision, StandardCharsets.UTF_8);
    }

    /** A finished model download. */
    public record ModelDownload(Path dir, List<Path> files, long bytes) {}

    /** A file in a repository with its LFS sha256 (null when not an LFS file or unknown). */
    record RepoFile(String name, String sha256, boolean fetched) {
        RepoFile(String name, String sha256) { this(name, sha256, false); }
    }

    /**
     * Downloads a Hugging Face model folder (config, tokenizer files, safetensors weights) into
     * {@code outDir}. Files already complete are verified and kept; interrupted ones resume.
     */
    public ModelDownload downloadModel(String repo, String revision, Path outDir, ProgressListener progress, CancellationToken cancel) {
        List<RepoFile> plan = plan(repo, revision, outDir, progress, cancel);
        return fetchAll(repo, revision, plan, outDir, progress, cancel);
    }

    /** Downloads the named files of a repository (e.g. a llama2.c checkpoint) into {@code outDir}. */
    public ModelDownload downloadFiles(String repo, String revision, List<String> files, Path outDir,
                                       ProgressListener progress, CancellationToken cancel) {
        Map<String, String> sha = listing(repo, revision).orElse(Map.of());
        List<RepoFile> plan = files.stream().map(f -> new RepoFile(f, sha.get(f))).toList();
        return fetchAll(repo, revision, plan, outDir, progress, cancel);
    }

    private ModelDownload fetchAll(String repo, String revision, List<RepoFile> plan, Path outDir,
                                   ProgressListener progress, CancellationToken cancel) {
        List<Path> out = new ArrayList<>();
        long bytes = 0;
        int i = 0;
        for (RepoFile f : plan) {
            cancel.throwIfCancelled();
            progress.update("download " + repo, i++, plan.size(), f.name());
            Path dest = outDir.resolve(f.name());
            if (f.fetched() || java.nio.file.Files.isRegularFile(dest) && f.sha256() != null
                    && f.sha256().equalsIgnoreCase(dev.llmcw.util.Hashing.sha256(dest))) {
                out.add(dest); // fetched while planning, or already complete and verified
            } else {
                out.add(downloader.download(resolveUrl(repo, revision, f.name()), dest, f.sha256(), progress, cancel).file());
            }
            bytes += dest.toFile().length();
        }
        progress.update("download " + repo, plan.size(), plan.size(), "done");
        return new ModelDownload(outDir, List.copyOf(out), bytes);
    }

    /** Which files to fetch: from the Hub's file listing when available, else by probing known names. */
    private List<RepoFile> plan(String repo, String revision, Path outDir, ProgressListener progress, CancellationToken cancel) {
        var listing = listing(repo, revision);
        List<RepoFile> plan = new ArrayList<>();
        if (listing.isPresent()) {
            Map<String, String> files = listing.get();
            if (!files.containsKey("config.json"))
                throw new DownloadException(repo + "@" + revision + " has no config.json: not a Hugging Face model repository");
            for (String c : CONFIG_FILES) if (files.containsKey(c)) plan.add(new RepoFile(c, files.get(c)));
            if (files.containsKey("model.safetensors.index.json")) {
                plan.add(new RepoFile("model.safetensors.index.json", files.get("model.safetensors.index.json")));
                for (String shard : shardsOf(repo, revision, outDir, progress, cancel)) plan.add(new RepoFile(shard, files.get(shard)));
            } else {
                var weights = new TreeSet<String>();
                for (String f : files.keySet()) if (f.endsWith(".safetensors") && !f.contains("/")) weights.add(f);
                if (weights.isEmpty())
                    throw new DownloadException(repo + "@" + revision + " has no safetensors weights (files: "
                            + String.join(", ", new TreeSet<>(files.keySet())) + ")");
                for (String w : weights) plan.add(new RepoFile(w, files.get(w)));
            }
            return plan;
        }
        // No listing (mirror without the API): config is required, the rest is probed.
        downloader.download(resolveUrl(repo, revision, "config.json"), outDir.resolve("config.json"), null, progress, cancel);
        plan.add(new RepoFile("config.json", null, true));
        for (String c : CONFIG_FILES.subList(1, CONFIG_FILES.size())) {
            if (probe(repo, revision, c, outDir, progress, cancel)) plan.add(new RepoFile(c, null, true));
        }
        if (probe(repo, revision, "model.safetensors", outDir, progress, cancel)) {
            plan.add(new RepoFile("model.safetensors", null, true));
        } else if (probe(repo, revision, "model.safetensors.index.json", outDir, progress, cancel)) {
            plan.add(new RepoFile("model.safetensors.index.json", null, true));
            for (String shard : shardsOf(repo, revision, outDir, progress, cancel)) plan.add(new RepoFile(shard, null));
        } else {
            throw new DownloadException(repo + "@" + revision + " has neither model.safetensors nor model.safetensors.index.json");
        }
        return plan;
    }

    /** Downloads an optional file; false on 404. */
    private boolean probe(String repo, String revision, String file, Path outDir, ProgressListener progress, CancellationToken cancel) {
        try {
            downloader.download(resolveUrl(repo, revision, file), outDir.resolve(file), null, progress, cancel);
            return true;
        } catch (DownloadException e) {
            if (e.status() == 404) return false;
            throw e;
        }
    }

    private List<String> shardsOf(String repo, String revision, Path outDir, ProgressListener progress, CancellationToken cancel) {
        Path index = outDir.resolve("model.safetensors.index.json");
        if (!java.nio.file.Files.isRegularFile(index))
            downloader.download(resolveUrl(repo, revision, "model.safetensors.index.json"), index, null, progress, cancel);
        try {
            JsonNode map = Json.MAPPER.readTree(index.toFile()).get("weight_map");
            if (map == null || !map.isObject()) throw new DownloadException(index + ": no \"weight_map\" object");
            var shards = new TreeSet<String>();
            map.forEach(v -> shards.add(v.asText()));
            if (shards.isEmpty()) throw new DownloadException(index + ": empty weight_map");
            return List.copyOf(shards);
        } catch (java.io.IOException e) {
            throw new DownloadException(index + ": invalid safetensors index: " + e.getMessage(), -1, e);
        }
    }

    /**
     * File names and LFS sha256s from {@code /api/models/{repo}/revision/{rev}?blobs=true}; empty
     * when the endpoint has no such API (404). Other errors (401/403 gated, network) propagate.
     */
    java.util.Optional<Map<String, String>> listing(String repo, String revision) {
        String json;
        try {
            json = downloader.fetchText(listingUrl(repo, revision));
        } catch (DownloadException e) {
            if (e.status() == 404) return java.util.Optional.empty();
            throw e;
        }
        try {
            JsonNode siblings = Json.MAPPER.readTree(json).get("siblings");
            if (siblings == null || !siblings.isArray()) return java.util.Optional.empty();
            Map<String, String> out = new LinkedHashMap<>();
            for (JsonNode s : siblings) {
                JsonNode lfs = s.get("lfs");
                out.put(s.get("rfilename").asText(), lfs != null && lfs.hasNonNull("sha256") ? lfs.get("sha256").asText() : null);
            }
            return java.util.Optional.of(out);
        } catch (java.io.IOException e) {
            throw new DownloadException("invalid file listing from " + listingUrl(repo, revision) + ": " + e.getMessage(), -1, e);
        }
    }

    /** Downloads a catalogue model into {@code outDir} (its repo files plus any extra URLs). */
    public ModelDownload download(ModelCatalog.Entry e, Path outDir, ProgressListener progress, CancellationToken cancel) {
        ModelDownload d = e.files() == null
                ? downloadModel(e.repo(), e.revision(), outDir, progress, cancel)
                : downloadFiles(e.repo(), e.revision(), e.files(), outDir, progress, cancel);
        List<Path> files = new ArrayList<>(d.files());
        long bytes = d.bytes();
        for (var x : e.extraUrls().entrySet()) {
            var r = downloader.download(URI.create(x.getValue()), outDir.resolve(x.getKey()), null, progress, cancel);
            files.add(r.file());
            bytes += r.bytes();
        }
        return new ModelDownload(outDir, List.copyOf(files), bytes);
    }
}
