package dev.llmcw.data;

import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Fetches a dataset's upstream files (manifest {@code upstream} layout) into a folder, extracting
 * zip entries where the manifest says so, and records what was fetched (URL, sha256, time) in
 * {@code download.json} beside them. The result is what {@link DatasetCatalog} finds as DOWNLOADED.
 */
public final class DatasetDownloader {
    private final Downloader downloader;

    public DatasetDownloader(Downloader downloader) {
        this.downloader = downloader;
    }

    /** One fetched file and its sha256 (to compare with the manifest, or to record a new one). */
    public record Fetched(Path file, String url, String sha256, boolean verified) {}

    public List<Fetched> download(DatasetManifest m, Path outDir, ProgressListener progress, CancellationToken cancel) {
        List<Fetched> out = new ArrayList<>();
        Map<String, Path> archives = new HashMap<>();
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new DownloadException("cannot create " + outDir + ": " + e.getMessage(), -1, e);
        }
        for (DatasetManifest.FileRef f : m.upstream().files()) {
            cancel.throwIfCancelled();
            Path dest = RemoteFileNames.resolveUnder(outDir, f.name(), "dataset " + m.name());
            if (f.archiveEntry() == null) {
                var r = downloader.download(URI.create(f.url()), dest, f.sha256(), progress, cancel);
                out.add(new Fetched(r.file(), f.url(), r.sha256(), f.sha256() != null));
                continue;
            }
            Path archive = archives.computeIfAbsent(f.url(), u -> {
                String base = u.substring(u.lastIndexOf('/') + 1);
                Path archiveFile = RemoteFileNames.resolveUnder(outDir, ".archives/" + base, "dataset " + m.name());
                return downloader
                        .download(URI.create(u), archiveFile, null, progress, cancel)
                        .file();
            });
            extract(archive, f.archiveEntry(), dest);
            String sha = Hashing.sha256(dest);
            if (f.sha256() != null && !f.sha256().equalsIgnoreCase(sha)) {
                try {
                    Files.deleteIfExists(dest);
                } catch (IOException ignored) {
                    // reported below
                }
                throw new DownloadException("sha256 mismatch for " + f.archiveEntry() + " in " + f.url() + ": expected "
                        + f.sha256() + ", got " + sha + "; the extracted file was deleted");
            }
            out.add(new Fetched(dest, f.url() + "#" + f.archiveEntry(), sha, f.sha256() != null));
        }
        writeRecord(m, outDir, out);
        PartFiles.sweep(outDir); // everything is complete: any part left is from a killed run
        return out;
    }

    /** Extracts the entry whose path ends with {@code entrySuffix} (archives nest under varying top folders). */
    static void extract(Path archive, String entrySuffix, Path dest) {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry found = zip.stream()
                    .filter(e -> !e.isDirectory())
                    .filter(e -> e.getName().equals(entrySuffix) || e.getName().endsWith("/" + entrySuffix))
                    .findFirst()
                    .orElseThrow(() -> new DownloadException(archive + ": no entry ending with " + entrySuffix));
            try (InputStream in = zip.getInputStream(found)) {
                AtomicFiles.write(dest, in::transferTo);
            }
        } catch (IOException e) {
            throw new DownloadException(archive + ": cannot extract " + entrySuffix + ": " + e.getMessage(), -1, e);
        }
    }

    private static void writeRecord(DatasetManifest m, Path outDir, List<Fetched> files) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("dataset", m.name());
        rec.put("format", m.upstream().format());
        rec.put("downloaded", Instant.now().toString());
        List<Map<String, Object>> fl = new ArrayList<>();
        for (Fetched f : files)
            fl.add(Map.of(
                    "name",
                    f.file().getFileName().toString(),
                    "url",
                    f.url(),
                    "sha256",
                    f.sha256(),
                    "verified",
                    f.verified()));
        rec.put("files", fl);
        try {
            AtomicFiles.writeString(
                    outDir.resolve("download.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(rec));
        } catch (IOException e) {
            throw new DownloadException(
                    "cannot write " + outDir.resolve("download.json") + ": " + e.getMessage(), -1, e);
        }
    }
}
