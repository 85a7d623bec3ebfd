package dev.llmcw.data;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class DownloaderTest {
    @TempDir Path dir;
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
    void stop() { server.close(); }

    private Downloader downloader(int retries) {
        return new Downloader(Map.of(), retries, Duration.ofMillis(10));
    }

    private URI url(String path) { return URI.create(server.base() + path); }

    @Test
    void downloadsAndVerifies() {
        AtomicLong last = new AtomicLong();
        Path dest = dir.resolve("sub/f.bin");
        var r = downloader(0).download(url("/f.bin"), dest, Hashing.sha256(data), (s, d, t, m) -> {
            last.set(d);
            assertThat(t).isEqualTo(data.length);
        }, CancellationToken.none());
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
        var r = downloader(2).download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
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
        long t0 = System.nanoTime();
        new Downloader(Map.of(), 1, Duration.ofMillis(10), Duration.ofMillis(300))
                .download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5.0);
        assertThat(server.requests.getLast().range()).isNotNull();
    }

    @Test
    void partLeftByAFailedRunIsResumedByTheNextRun() throws Exception {
        server.breakMidFile("/f.bin", 1);
        Path dest = dir.resolve("f.bin");
        assertThatThrownBy(() -> downloader(0).download(url("/f.bin"), dest, null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class).hasMessageContaining(url("/f.bin").toString()).hasMessageContaining("resume");
        Path part = dir.resolve("f.bin.part");
        assertThat(part).exists();
        long have = Files.size(part);
        assertThat(have).isGreaterThan(0).isLessThan(data.length);
        assertThat(dest).doesNotExist();

        var r = downloader(0).download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(r.resumed()).isTrue();
        assertThat(dest).hasBinaryContent(data);
        assertThat(server.requests.getLast().range()).isEqualTo("bytes=" + have + "-");
    }

    @Test
    void serverIgnoringRangeRestartsFromZero() throws Exception {
        Path dest = dir.resolve("f.bin");
        Files.write(dir.resolve("f.bin.part"), new byte[]{1, 2, 3});
        server.honourRange = false;
        downloader(0).download(url("/f.bin"), dest, Hashing.sha256(data), ProgressListener.NONE, CancellationToken.none());
        assertThat(dest).hasBinaryContent(data);
    }

    @Test
    void wrongChecksumFailsAndLeavesNoFile() {
        Path dest = dir.resolve("f.bin");
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> downloader(0).download(url("/f.bin"), dest, wrong, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("sha256 mismatch").hasMessageContaining(url("/f.bin").toString())
                .hasMessageContaining(Hashing.sha256(data));
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("f.bin.part")).doesNotExist();
    }

    @Test
    void notFoundNamesUrlAndStatus() {
        assertThatThrownBy(() -> downloader(3).download(url("/missing.bin"), dir.resolve("m.bin"), null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOfSatisfying(DownloadException.class, e -> assertThat(e.status()).isEqualTo(404))
                .hasMessageContaining("HTTP 404").hasMessageContaining(url("/missing.bin").toString());
        assertThat(server.requests).as("HTTP errors are not retried").hasSize(1);
        assertThat(dir.resolve("m.bin")).doesNotExist();
    }

    @Test
    void unreachableServerIsAClearError() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI u = URI.create("http://127.0.0.1:" + port + "/f.bin");
        assertThatThrownBy(() -> downloader(1).download(u, dir.resolve("f.bin"), null, ProgressListener.NONE, CancellationToken.none()))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:" + port).hasMessageContaining(u.toString());
    }

    @Test
    void cancellationKeepsThePartForLater() throws Exception {
        var cancel = new CancellationToken();
        Path dest = dir.resolve("f.bin");
        byte[] big = new byte[8_000_000];
        new Random(1).nextBytes(big);
        server.put("/big.bin", big);
        assertThatThrownBy(() -> downloader(0).download(url("/big.bin"), dest, null,
                (s, d, t, m) -> { if (d > 0) cancel.cancel(); }, cancel))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("f.bin.part")).exists();
        downloader(0).download(url("/big.bin"), dest, Hashing.sha256(big), ProgressListener.NONE, CancellationToken.none());
        assertThat(Hashing.sha256(dest)).isEqualTo(Hashing.sha256(big));
    }
}
