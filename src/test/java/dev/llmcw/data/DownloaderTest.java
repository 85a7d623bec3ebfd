package dev.llmcw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DownloaderTest {
    @TempDir
    Path dir;

    LoopbackServer server;
    byte[] data;

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackServer();
        data = new byte[300_000];
        new Random(42).nextBytes(data);
        server.put("/f.bin", data);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Downloader downloader(int retries) {
        return new Downloader(Map.of(), retries, Duration.ofMillis(10));
    }

    private URI url(String path) {
        return URI.create(server.base() + path);
    }

    @Test
    void downloadsAndVerifies() {
        AtomicLong last = new AtomicLong();
        Path dest = dir.resolve("sub/f.bin");
        var r = downloader(0)
                .download(
                        url("/f.bin"),
                        dest,
                        Hashing.sha256(data),
                        (s, d, t, m) -> {
                            last.set(d);
                            assertThat(t).isEqualTo(data.length);
                        },
                        CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
        assertThat(r.sha256()).isEqualTo(Hashing.sha256(data));
        assertThat(r.resumed()).isFalse();
        assertThat(last.get()).isEqualTo(data.length);
        assertThat(dest.resolveSibling("f.bin.part")).doesNotExist();
    }

    @Test
    void brokenConnectionIsResumedWithARangeRequest() throws Exception {
        server.breakMidFile("/f.bin", 1);
        Path dest = dir.resolve("f.bin");
        var r = downloader(2)
                .download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
        assertThat(r.resumed()).isTrue();
        assertThat(server.requests).hasSize(2);
        assertThat(server.requests.get(0).range()).isNull();
        assertThat(server.requests.get(1).range()).matches("bytes=\\d+-").isNotEqualTo("bytes=0-");
    }

    @Test
    void stalledTransferIsAbandonedAndResumed() {
        server.stallMidFile("/f.bin", 1);
        Path dest = dir.resolve("f.bin");
        new Downloader(Map.of(), 1, Duration.ofMillis(10), Duration.ofMillis(300))
                .download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
        assertThat(server.requests.getLast().range()).isNotNull();
    }

    @Test
    void partLeftByAFailedRunIsResumedByTheNextRun() throws Exception {
        server.breakMidFile("/f.bin", 1);
        Path dest = dir.resolve("f.bin");
        assertThatThrownBy(() -> downloader(0)
                        .download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(url("/f.bin").toString())
                .hasMessageContaining("resume");
        Path part = dir.resolve("f.bin.part");
        assertThat(part).exists();
        long have = Files.size(part);
        assertThat(have).isGreaterThan(0).isLessThan(data.length);
        assertThat(dest).doesNotExist();

        var r = downloader(0)
                .download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(r.resumed()).isTrue();
        assertThat(dest).hasBinaryContent(data);
        assertThat(server.requests.getLast().range()).isEqualTo("bytes=" + have + "-");
    }

    @Test
    void serverIgnoringRangeRestartsFromZero() throws Exception {
        Path dest = dir.resolve("f.bin");
        Files.write(dir.resolve("f.bin.part"), new byte[] {1, 2, 3});
        server.honourRange = false;
        downloader(0)
                .download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
    }

    @Test
    void wrongChecksumFailsAndLeavesNoFile() {
        Path dest = dir.resolve("f.bin");
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> downloader(0)
                        .download(url("/f.bin"), dest, wrong, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining(url("/f.bin").toString())
                .hasMessageContaining(Hashing.sha256(data));
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("f.bin.part")).doesNotExist();
    }

    @Test
    void notFoundNamesUrlAndStatus() {
        assertThatThrownBy(() -> downloader(3)
                        .download(
                                url("/missing.bin"),
                                dir.resolve("m.bin"),
                                null,
                                ProgressListener.NONE,
                                CancellationToken.none()))
                .isInstanceOfSatisfying(
                        DownloadException.class, e -> assertThat(e.status()).isEqualTo(404))
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining(url("/missing.bin").toString());
        assertThat(server.requests).as("HTTP errors are not retried").hasSize(1);
        assertThat(dir.resolve("m.bin")).doesNotExist();
    }

    @Test
    void unreachableServerIsAClearError() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI u = URI.create("http://127.0.0.1:" + port + "/f.bin");
        assertThatThrownBy(() -> downloader(1)
                        .download(u, dir.resolve("f.bin"), null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:" + port)
                .hasMessageContaining(u.toString());
    }

    @Test
    void cancellationKeepsThePartForLater() throws Exception {
        var cancel = new CancellationToken();
        Path dest = dir.resolve("f.bin");
        byte[] big = new byte[8_000_000];
        new Random(1).nextBytes(big);
        server.put("/big.bin", big);
        assertThatThrownBy(() -> downloader(0)
                        .download(
                                url("/big.bin"),
                                dest,
                                null,
                                (s, d, t, m) -> {
                                    if (d > 0) cancel.cancel();
                                },
                                cancel))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("f.bin.part")).exists();
        downloader(0)
                .download(url("/big.bin"), dest, Hashing.sha256(big), ProgressListener.NONE, CancellationToken.none());
        assertThat(Hashing.sha256(dest)).isEqualTo(Hashing.sha256(big));
    }

    @Test
    void stalePartWithOtherBytesIsNotSplicedWhenTheChecksumIsKnown() throws Exception {
        Path dest = dir.resolve("f.bin");
        byte[] stale = new byte[1000];
        new Random(7).nextBytes(stale); // an older version of the file, or garbage
        Files.write(dir.resolve("f.bin.part"), stale);
        var r = downloader(0)
                .download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
        assertThat(r.sha256()).isEqualTo(Hashing.sha256(data));
        assertThat(server.requests.getLast().range())
                .as("the retry starts from zero")
                .isNull();
    }

    @Test
    void stalePartThatCannotBeVerifiedIsRestartedFromZero() throws Exception {
        Path dest = dir.resolve("f.bin");
        Files.write(dir.resolve("f.bin.part"), new byte[1000]);
        downloader(0).download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
        assertThat(server.requests).allSatisfy(q -> assertThat(q.range()).isNull());
    }

    @Test
    void partOfTheSameEntityIsResumedWithIfRange() throws Exception {
        server.etag("/f.bin", "\"v1\"");
        server.breakMidFile("/f.bin", 1);
        Path dest = dir.resolve("f.bin");
        assertThatThrownBy(() -> downloader(0)
                        .download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class);
        long have = Files.size(dir.resolve("f.bin.part"));
        var r = downloader(0).download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none());
        assertThat(r.resumed()).isTrue();
        assertThat(dest).hasBinaryContent(data);
        assertThat(server.requests.getLast().range()).isEqualTo("bytes=" + have + "-");
        assertThat(server.requests.getLast().ifRange()).isEqualTo("\"v1\"");
        assertThat(dir.resolve("f.bin.part")).doesNotExist();
        assertThat(dir.resolve("f.bin.part.etag")).doesNotExist();
    }

    @Test
    void partOfAChangedEntityIsReplaced() throws Exception {
        server.etag("/f.bin", "\"v1\"");
        server.breakMidFile("/f.bin", 1);
        Path dest = dir.resolve("f.bin");
        assertThatThrownBy(() -> downloader(0)
                        .download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class);
        byte[] v2 = new byte[data.length];
        new Random(99).nextBytes(v2);
        server.put("/f.bin", v2);
        server.etag("/f.bin", "\"v2\"");
        downloader(0).download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(v2);
    }

    @Test
    void fileLargerThanTheCapIsRefusedBeforeWriting() {
        Path dest = dir.resolve("config.json");
        assertThatThrownBy(() -> downloader(0)
                        .downloadVerified(
                                url("/f.bin"),
                                dest,
                                new Downloader.Expected(null, -1, 100_000),
                                ProgressListener.NONE,
                                CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(url("/f.bin").toString())
                .hasMessageContaining("300000 bytes")
                .hasMessageContaining("at most 100000");
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("config.json.part")).doesNotExist();
    }

    @Test
    void wrongSizeFailsAndLeavesNoFile() {
        Path dest = dir.resolve("f.bin");
        assertThatThrownBy(() -> downloader(0)
                        .downloadVerified(
                                url("/f.bin"),
                                dest,
                                new Downloader.Expected(null, data.length + 1L, -1),
                                ProgressListener.NONE,
                                CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("size");
        assertThat(dest).doesNotExist();
    }

    @Test
    void aContentLengthBeyondTheFreeDiskSpaceIsRefusedBeforeWriting() {
        server.announce("/huge.bin", 1L << 50); // a petabyte
        Path dest = dir.resolve("huge.bin");
        assertThatThrownBy(() -> downloader(0)
                        .download(url("/huge.bin"), dest, null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(url("/huge.bin").toString())
                .hasMessageContaining("free");
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("huge.bin.part")).doesNotExist();
    }
}
