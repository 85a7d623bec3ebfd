package dev.llmcw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub that answers with hostile indexes and listings (names climbing out of the target folder,
 * absolute paths, symlinks, oversized metadata, missing fields): the download refuses with a sentence
 * naming the repository and the name, and nothing is ever written outside {@code --out}.
 */
@Timeout(60)
class HostileHubTest {
    @TempDir
    Path root;

    Path out;
    Path outside;
    LoopbackServer server;
    final byte[] evil = "evil-bytes".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackServer();
        out = root.resolve("out");
        outside = Files.createDirectories(root.resolve("outside"));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        assertNothingOutsideOut();
    }

    private HuggingFaceHub hub() {
        return new HuggingFaceHub(server.base() + "/", null, new Downloader(Map.of(), 0, Duration.ofMillis(5)));
    }

    private void assertNothingOutsideOut() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)))
                    .as("files written outside --out") // Path.startsWith compares names: a link inside out is inside
                    .allSatisfy(
                            p -> assertThat(p.startsWith(out)).as(p.toString()).isTrue());
        }
    }

    /** A repo with config.json and an index whose weight_map names {@code shard}; every URL that shard could map to serves bytes. */
    private void indexRepo(String repo, String weightMapValueJson, String shard) {
        String r = "/" + repo + "/resolve/main/";
        server.put(r + "config.json", "{}".getBytes());
        server.put(
                r + "model.safetensors.index.json",
                ("{\"weight_map\": {\"a\": " + weightMapValueJson + "}}").getBytes(StandardCharsets.UTF_8));
        if (shard != null) {
            server.put(r + shard, evil);
            server.put("/" + repo + "/resolve/" + shard.replace("../", ""), evil);
            server.put("/" + repo + "/" + shard.replace("../", ""), evil);
        }
        server.put("/api/models/" + repo + "/revision/main?blobs=true", ("""
                {"siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors.index.json"}]}""").getBytes());
    }

    private void download(String repo) {
        hub().downloadModel(repo, "main", out, ProgressListener.NONE, CancellationToken.none());
    }

    @Test
    void weightMapClimbingOutOfTheFolderIsRefused() {
        indexRepo("org/climb", "\"../evil.safetensors\"", "../evil.safetensors");
        assertThatThrownBy(() -> download("org/climb"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("org/climb")
                .hasMessageContaining("../evil.safetensors")
                .hasMessageContaining("outside");
        assertThat(root.resolve("evil.safetensors")).doesNotExist();
    }

    @Test
    void weightMapWithAnAbsolutePathIsRefused() {
        String abs = outside.resolve("abs.safetensors").toString();
        indexRepo("org/abs", "\"" + abs + "\"", abs.substring(1));
        server.put("/org/abs/resolve/main/" + abs, evil);
        assertThatThrownBy(() -> download("org/abs"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("org/abs")
                .hasMessageContaining(abs)
                .hasMessageContaining("absolute");
        assertThat(outside.resolve("abs.safetensors")).doesNotExist();
    }

    @Test
    void namesWithNulBackslashOrDriveLetterAreRefused() {
        for (String bad : List.of(
                "a\\u0000b.safetensors", "..\\\\evil.safetensors", "C:evil.safetensors", "x/../../evil.safetensors")) {
            indexRepo("org/odd", "\"" + bad + "\"", null);
            assertThatThrownBy(() -> download("org/odd"))
                    .as(bad)
                    .isInstanceOf(DownloadException.class)
                    .hasMessageContaining("org/odd")
                    .hasMessageContaining("file name");
        }
    }

    @Test
    void symlinkInsideTheFolderThatLeadsOutIsNotFollowed() throws Exception {
        Files.createDirectories(out);
        Files.createSymbolicLink(out.resolve("link"), outside);
        indexRepo("org/link", "\"link/x.safetensors\"", "link/x.safetensors");
        assertThatThrownBy(() -> download("org/link"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("org/link")
                .hasMessageContaining("link/x.safetensors")
                .hasMessageContaining("symbolic link");
        assertThat(outside.resolve("x.safetensors")).doesNotExist();
    }

    @Test
    void explicitFileNamesAndExtraUrlNamesAreCheckedToo() {
        server.put("/org/files/resolve/main/../x.bin", evil);
        server.put("/org/files/resolve/x.bin", evil);
        assertThatThrownBy(() -> hub().downloadFiles(
                                "org/files",
                                "main",
                                List.of("../x.bin"),
                                out,
                                ProgressListener.NONE,
                                CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("../x.bin");
        server.put("/org/files/resolve/main/ok.bin", evil);
        server.put("/tok.bin", evil);
        var e = new ModelCatalog.Entry(
                "x",
                "org/files",
                "main",
                "llama2c",
                List.of("ok.bin"),
                "1",
                1,
                "f32",
                false,
                "MIT",
                Map.of("../tok.bin", server.base() + "/tok.bin"),
                null);
        assertThatThrownBy(() -> hub().download(e, out, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("../tok.bin");
        assertThat(root.resolve("tok.bin")).doesNotExist();
    }

    @Test
    void oversizedConfigIsRefused() {
        String r = "/org/huge/resolve/main/";
        server.put(r + "config.json", new byte[9 << 20]);
        server.put(r + "model.safetensors", evil);
        server.put("/api/models/org/huge/revision/main?blobs=true", """
                {"siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}]}""".getBytes());
        assertThatThrownBy(() -> download("org/huge"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("at most");
        assertThat(out.resolve("config.json")).doesNotExist();
        assertThat(out.resolve("config.json.part")).doesNotExist();
    }

    @Test
    void announcedSizesBeyondTheFreeDiskSpaceAreRefusedBeforeDownloading() {
        String r = "/org/big/resolve/main/";
        server.put(r + "config.json", "{}".getBytes());
        server.put(r + "model.safetensors", evil);
        server.put("/api/models/org/big/revision/main?blobs=true", """
                {"siblings": [{"rfilename": "config.json"},
                 {"rfilename": "model.safetensors", "lfs": {"sha256": "%s", "size": 900000000000000000}}]}""".formatted(Hashing.sha256(evil))
                .getBytes());
        assertThatThrownBy(() -> download("org/big"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("org/big")
                .hasMessageContaining("free");
        assertThat(server.requests).noneMatch(q -> q.path().endsWith("model.safetensors"));
    }

    @Test
    void listingEntryWithoutAFileNameIsASentence() {
        server.put("/api/models/org/nameless/revision/main?blobs=true", """
                {"siblings": [{"rfilename": "config.json"}, {"lfs": {"sha256": "00"}}]}""".getBytes());
        assertThatThrownBy(() -> download("org/nameless"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("org/nameless")
                .hasMessageContaining("\"rfilename\"")
                .hasMessageNotContaining("NullPointer");
    }

    @Test
    void weightMapEntryThatIsNotAFileNameIsASentence() {
        indexRepo("org/numeric", "null", null);
        assertThatThrownBy(() -> download("org/numeric"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("org/numeric")
                .hasMessageContaining("weight_map")
                .hasMessageContaining("\"a\"");
    }

    @Test
    void partFilesLeftByAKilledRunAreCleanedUp() throws Exception {
        byte[] w = "weights".getBytes(StandardCharsets.UTF_8);
        String r = "/org/ok/resolve/main/";
        server.put(r + "config.json", "{}".getBytes());
        server.put(r + "model.safetensors", w);
        server.put("/api/models/org/ok/revision/main?blobs=true", """
                {"siblings": [{"rfilename": "config.json"},
                 {"rfilename": "model.safetensors", "lfs": {"sha256": "%s", "size": %d}}]}""".formatted(Hashing.sha256(w), w.length)
                .getBytes());
        Files.createDirectories(out);
        Files.write(
                out.resolve("model-00001-of-00009.safetensors.part"), new byte[100]); // a file the repo no longer has
        Files.write(out.resolve("model.safetensors.part"), "weigh".getBytes(StandardCharsets.UTF_8)); // resumable
        download("org/ok");
        assertThat(out.resolve("model.safetensors")).hasBinaryContent(w);
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".part"));
        }
    }
}
