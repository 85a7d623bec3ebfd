package dev.llmcw.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    static final List<String> CONFIG_FILES = List.of(
            "config.json",
            "generation_config.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "tokenizer.model",
            "special_tokens_map.json",
            "vocab.json",
            "merges.txt",
            "added_tokens.json");

    private final String endpoint;
    private final Downloader downloader;

    /**
     * @param endpoint base URL, e.g. "https://huggingface.co" or "http://127.0.0.1:PORT"
     * @param token    access token for gated/private repos, or null
     */
    public HuggingFaceHub(String endpoint, String token, Downloader downloader) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.downloader = token == null || token.isBlank()
                ? downloader
                : downloader.withHeader("Authorization", "Bearer " + token);
    }

    /** Endpoint from {@code $HF_ENDPOINT} (default huggingface.co), token from {@code $HF_TOKEN}. */
    public static HuggingFaceHub standard() {
        String ep = System.getenv("HF_ENDPOINT");
        return new HuggingFaceHub(
                ep == null || ep.isBlank() ? DEFAULT_ENDPOINT : ep, System.getenv("HF_TOKEN"), Downloader.standard());
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

    /** Largest configuration / index JSON accepted (real ones are kilobytes). */
    static final long MAX_CONFIG_BYTES = 8L << 20;
    /** Largest tokenizer file accepted (the largest vocabularies' tokenizer.json are tens of MB). */
    static final long MAX_TOKENIZER_BYTES = 64L << 20;

    private static final Set<String> TOKENIZER_FILES =
            Set.of("tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt");
    static final String INDEX = "model.safetensors.index.json";

    /** A file in a repository with its LFS sha256 and size (null / -1 when not listed). */
    record RepoFile(String name, String sha256, long size, boolean fetched) {
        RepoFile(String name, HubListing.Listed listed) {
            this(name, listed == null ? null : listed.sha256(), listed == null ? -1 : listed.size(), false);
        }

        static RepoFile fetched(String name) {
            return new RepoFile(name, null, -1, true);
        }
    }

    /** The cap for a file: metadata files have one, weights only the free disk space. */
    static long capFor(String name) {
        if (TOKENIZER_FILES.contains(name)) return MAX_TOKENIZER_BYTES;
        return name.endsWith(".json") ? MAX_CONFIG_BYTES : -1;
    }

    private static String source(String repo, String revision) {
        return repo + "@" + revision;
    }

    /** Where a remote-supplied name goes in {@code outDir}; refused when it could land anywhere else. */
    private static Path target(Path outDir, String name, String repo, String revision) {
        return RemoteFileNames.resolveUnder(outDir, name, source(repo, revision));
    }

    /**
     * Downloads a Hugging Face model folder (config, tokenizer files, safetensors weights) into
     * {@code outDir}. Files already complete are verified and kept; interrupted ones resume.
     */
    public ModelDownload downloadModel(
            String repo, String revision, Path outDir, ProgressListener progress, CancellationToken cancel) {
        List<RepoFile> plan = plan(repo, revision, outDir, progress, cancel);
        return fetchAll(repo, revision, plan, outDir, progress, cancel);
    }

    /** Downloads the named files of a repository (e.g. a llama2.c checkpoint) into {@code outDir}. */
    public ModelDownload downloadFiles(
            String repo,
            String revision,
            List<String> files,
            Path outDir,
            ProgressListener progress,
            CancellationToken cancel) {
        for (String f : files) target(outDir, f, repo, revision);
        Map<String, HubListing.Listed> listed = listing(repo, revision).orElse(Map.of());
        List<RepoFile> plan =
                files.stream().map(f -> new RepoFile(f, listed.get(f))).toList();
        return fetchAll(repo, revision, plan, outDir, progress, cancel);
    }

    private ModelDownload fetchAll(
            String repo,
            String revision,
            List<RepoFile> plan,
            Path outDir,
            ProgressListener progress,
            CancellationToken cancel) {
        requireSpace(repo, revision, plan, outDir);
        List<Path> out = new ArrayList<>();
        long bytes = 0;
        int i = 0;
        for (RepoFile f : plan) {
            cancel.throwIfCancelled();
            progress.update("download " + repo, i++, plan.size(), f.name());
            Path dest = target(outDir, f.name(), repo, revision);
            if (f.fetched() || isComplete(dest, f)) {
                out.add(dest); // fetched while planning, or already complete and verified
            } else {
                var expected = new Downloader.Expected(f.sha256(), f.size(), capFor(f.name()));
                out.add(downloader
                        .downloadVerified(resolveUrl(repo, revision, f.name()), dest, expected, progress, cancel)
                        .file());
            }
            bytes += dest.toFile().length();
        }
        PartFiles.sweep(outDir);
        progress.update("download " + repo, plan.size(), plan.size(), "done");
        return new ModelDownload(outDir, List.copyOf(out), bytes);
    }

    private static boolean isComplete(Path dest, RepoFile f) {
        return Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)
                && f.sha256() != null
                && f.sha256().equalsIgnoreCase(Hashing.sha256(dest));
    }

    /** Refuses a download whose listed sizes do not fit the free disk space, before any weight is fetched. */
    private static void requireSpace(String repo, String revision, List<RepoFile> plan, Path outDir) {
        long need = 0;
        for (RepoFile f : plan) {
            if (f.fetched() || f.size() < 0) continue;
            Path dest = target(outDir, f.name(), repo, revision);
            long have = Files.isRegularFile(dest) ? dest.toFile().length() : 0;
            need = Math.addExact(need, Math.max(0, f.size() - have));
        }
        DiskSpace.require(outDir, need, source(repo, revision));
    }

    /** Downloads a metadata file the plan needs now (config, index), capped. */
    private Path fetchMetadata(
            String repo,
            String revision,
            String name,
            Path outDir,
            ProgressListener progress,
            CancellationToken cancel) {
        Path dest = target(outDir, name, repo, revision);
        var expected = new Downloader.Expected(null, -1, capFor(name));
        return downloader
                .downloadVerified(resolveUrl(repo, revision, name), dest, expected, progress, cancel)
                .file();
    }

    /** Which files to fetch: from the Hub's file listing when available, else by probing known names. */
    private List<RepoFile> plan(
            String repo, String revision, Path outDir, ProgressListener progress, CancellationToken cancel) {
        var listing = listing(repo, revision);
        List<RepoFile> plan = new ArrayList<>();
        if (listing.isPresent()) {
            Map<String, HubListing.Listed> files = listing.get();
            if (!files.containsKey("config.json"))
                throw new DownloadException(
                        source(repo, revision) + " has no config.json: not a Hugging Face model repository");
            for (String c : CONFIG_FILES) if (files.containsKey(c)) plan.add(new RepoFile(c, files.get(c)));
            if (files.containsKey(INDEX)) {
                fetchMetadata(
                        repo, revision, INDEX, outDir, progress,
                        cancel); // always fresh: an old index may name old shards
                plan.add(RepoFile.fetched(INDEX));
                for (String shard : shardsOf(repo, revision, outDir)) plan.add(new RepoFile(shard, files.get(shard)));
            } else {
                var weights = new TreeSet<String>();
                for (String f : files.keySet()) if (f.endsWith(".safetensors") && !f.contains("/")) weights.add(f);
                if (weights.isEmpty())
                    throw new DownloadException(source(repo, revision) + " has no safetensors weights (files: "
                            + String.join(", ", new TreeSet<>(files.keySet())) + ")");
                for (String w : weights) plan.add(new RepoFile(w, files.get(w)));
            }
            return plan;
        }
        // No listing (mirror without the API): config is required, the rest is probed.
        fetchMetadata(repo, revision, "config.json", outDir, progress, cancel);
        plan.add(RepoFile.fetched("config.json"));
        for (String c : CONFIG_FILES.subList(1, CONFIG_FILES.size())) {
            if (probe(repo, revision, c, outDir, progress, cancel)) plan.add(RepoFile.fetched(c));
        }
        if (probe(repo, revision, "model.safetensors", outDir, progress, cancel)) {
            plan.add(RepoFile.fetched("model.safetensors"));
        } else if (probe(repo, revision, INDEX, outDir, progress, cancel)) {
            plan.add(RepoFile.fetched(INDEX));
            for (String shard : shardsOf(repo, revision, outDir)) plan.add(new RepoFile(shard, null));
        } else {
            throw new DownloadException(source(repo, revision) + " has neither model.safetensors nor " + INDEX);
        }
        return plan;
    }

    /** Downloads an optional file; false on 404. */
    private boolean probe(
            String repo,
            String revision,
            String file,
            Path outDir,
            ProgressListener progress,
            CancellationToken cancel) {
        try {
            fetchMetadata(repo, revision, file, outDir, progress, cancel);
            return true;
        } catch (DownloadException e) {
            if (e.status() == 404) return false;
            throw e;
        }
    }

    /** The shard names of the downloaded index, each checked to stay inside {@code outDir}. */
    private List<String> shardsOf(String repo, String revision, Path outDir) {
        Path index = target(outDir, INDEX, repo, revision);
        String where = source(repo, revision) + ": " + INDEX;
        JsonNode map;
        try {
            JsonNode root = Json.MAPPER.readTree(index.toFile());
            map = root == null ? null : root.get("weight_map");
        } catch (IOException e) {
            throw new DownloadException(where + " is not a valid safetensors index: " + e.getMessage(), -1, e);
        }
        if (map == null || !map.isObject()) throw new DownloadException(where + " has no \"weight_map\" object");
        var shards = new TreeSet<String>();
        for (var e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new DownloadException(
                        where + ": weight_map entry \"" + e.getKey() + "\" is not a file name (" + e.getValue() + ")");
            }
            target(outDir, e.getValue().asText(), repo, revision);
            shards.add(e.getValue().asText());
        }
        if (shards.isEmpty()) throw new DownloadException(where + " has an empty weight_map");
        return List.copyOf(shards);
    }

    /**
     * File names, sizes and LFS sha256s from {@code /api/models/{repo}/revision/{rev}?blobs=true}; empty
     * when the endpoint has no such API (404). Other errors (401/403 gated, network) propagate.
     */
    Optional<Map<String, HubListing.Listed>> listing(String repo, String revision) {
        String json;
        try {
            json = downloader.fetchText(listingUrl(repo, revision));
        } catch (DownloadException e) {
            if (e.status() == 404) return Optional.empty();
            throw e;
        }
        return Optional.ofNullable(HubListing.parse(json, source(repo, revision)));
    }

    /** Downloads a catalogue model into {@code outDir} (its repo files plus any extra URLs). */
    public ModelDownload download(
            ModelCatalog.Entry e, Path outDir, ProgressListener progress, CancellationToken cancel) {
        for (String name : e.extraUrls().keySet())
            RemoteFileNames.resolveUnder(outDir, name, "catalogue entry " + e.id());
        ModelDownload d = e.files() == null
                ? downloadModel(e.repo(), e.revision(), outDir, progress, cancel)
                : downloadFiles(e.repo(), e.revision(), e.files(), outDir, progress, cancel);
        List<Path> files = new ArrayList<>(d.files());
        long bytes = d.bytes();
        for (var x : e.extraUrls().entrySet()) {
            Path dest = RemoteFileNames.resolveUnder(outDir, x.getKey(), "catalogue entry " + e.id());
            var r = downloader.download(URI.create(x.getValue()), dest, null, progress, cancel);
            files.add(r.file());
            bytes += r.bytes();
        }
        return new ModelDownload(outDir, List.copyOf(files), bytes);
    }
}
