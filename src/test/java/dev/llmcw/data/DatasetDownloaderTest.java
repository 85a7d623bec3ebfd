package dev.llmcw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DatasetDownloaderTest {
    @TempDir
    Path dir;

    private static byte[] zip(Map<String, String> entries) throws Exception {
        var bos = new ByteArrayOutputStream();
        try (var z = new ZipOutputStream(bos)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    @Test
    void fetchesPlainFilesAndZipEntriesThenTheCatalogFindsThem() throws Exception {
        try (var server = new LoopbackServer()) {
            Path sample = Path.of("datasets/winogrande/sample");
            String dev = Files.readString(sample.resolve("dev.jsonl"));
            String labels = Files.readString(sample.resolve("dev-labels.lst"));
            server.put(
                    "/wg.zip",
                    zip(Map.of(
                            "winogrande_1.1/dev.jsonl",
                            dev,
                            "winogrande_1.1/dev-labels.lst",
                            labels,
                            "winogrande_1.1/train_xl.jsonl",
                            "{}")));
            var m = new DatasetManifest(
                    "winogrande",
                    null,
                    "winogrande",
                    "validation",
                    12,
                    null,
                    "CC BY 2.0",
                    null,
                    null,
                    new DatasetManifest.Layout(
                            "winogrande-jsonl",
                            List.of(
                                    new DatasetManifest.FileRef(
                                            "dev.jsonl",
                                            server.base() + "/wg.zip",
                                            Hashing.sha256(dev),
                                            null,
                                            "winogrande_1.1/dev.jsonl",
                                            null,
                                            null),
                                    new DatasetManifest.FileRef(
                                            "dev-labels.lst",
                                            server.base() + "/wg.zip",
                                            null,
                                            null,
                                            "dev-labels.lst",
                                            null,
                                            null)),
                            null),
                    null,
                    null);
            Path out = dir.resolve("user/winogrande");
            var fetched = new DatasetDownloader(new Downloader(Map.of(), 0, Duration.ofMillis(5)))
                    .download(m, out, ProgressListener.NONE, CancellationToken.none());
            assertThat(fetched).hasSize(2);
            assertThat(fetched.get(0).verified()).isTrue();
            assertThat(fetched.get(1).verified()).isFalse();
            assertThat(out.resolve("dev.jsonl")).hasContent(dev);
            assertThat(out.resolve("dev-labels.lst")).hasContent(labels);
            assertThat(server.requests).as("the archive is fetched once").hasSize(1);
            var rec = Json.MAPPER.readTree(out.resolve("download.json").toFile());
            assertThat(rec.at("/files/1/sha256").asText()).isEqualTo(Hashing.sha256(labels));

            // the 12 items served here are the whole split of this manifest (a user manifest overrides the
            // repository's)
            Path manifests = Files.createDirectories(dir.resolve("manifests/winogrande"));
            Json.MAPPER.writeValue(manifests.resolve("manifest.json").toFile(), m);
            var cat = new DatasetCatalog(
                    List.of(dir.resolve("manifests"), Path.of("datasets")), dir.resolve("user"), null);
            assertThat(cat.locate("winogrande").orElseThrow().source()).isEqualTo(DatasetCatalog.Source.DOWNLOADED);
            // against the repository's manifest (1267 items) the same copy is an incomplete download
            var repo = new DatasetCatalog(List.of(Path.of("datasets")), dir.resolve("user"), null);
            assertThatThrownBy(() -> repo.locate("winogrande"))
                    .hasMessageContaining("declares 1267 items but dev.jsonl holds 12");

            var badEntry = new DatasetManifest(
                    "x",
                    null,
                    null,
                    null,
                    1,
                    null,
                    "x",
                    null,
                    null,
                    new DatasetManifest.Layout(
                            "f",
                            List.of(new DatasetManifest.FileRef(
                                    "a", server.base() + "/wg.zip", null, null, "nope.jsonl", null, null)),
                            null),
                    null,
                    null);
            assertThatThrownBy(() -> new DatasetDownloader(new Downloader(Map.of(), 0, Duration.ofMillis(5)))
                            .download(badEntry, dir.resolve("x"), ProgressListener.NONE, CancellationToken.none()))
                    .hasMessageContaining("no entry ending with nope.jsonl");
        }
    }
}
