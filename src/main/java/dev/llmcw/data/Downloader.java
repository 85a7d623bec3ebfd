package dev.llmcw.data;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one URL to a file: streams into {@code <dest>.part}, resumes an existing part with an
 * HTTP Range request (206; a server that answers 200 restarts from zero), retries a broken
 * connection from where it stopped, verifies the sha256 when one is given, and only then moves
 * the part to {@code dest} atomically — so {@code dest} either does not exist or is complete and
 * verified. Cancellation (checked per chunk) keeps the part for a later resume; a checksum
 * mismatch deletes it.
 */
public final class Downloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    private final HttpClient client;
    private final Map<String, String> headers;
    private final int retries;
    private final Duration backoff;
    private final Duration stallTimeout;

    /** Closes the body of a transfer that received nothing for {@code stallTimeout} (HttpClient has no read timeout). */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "download-watchdog");
                t.setDaemon(true);
                return t;
            });

    /**
     * @param headers sent with every request (e.g. Authorization for gated Hugging Face repos)
     * @param retries how many times a failed transfer is retried (resuming) before giving up
     * @param backoff wait before retry n is n × backoff
     */
    public Downloader(Map<String, String> headers, int retries, Duration backoff) {
        this(headers, retries, backoff, Duration.ofSeconds(60));
    }

    /** @param stallTimeout a transfer receiving no bytes for this long is treated as broken (and retried) */
    public Downloader(Map<String, String> headers, int retries, Duration backoff, Duration stallTimeout) {
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        this.headers = Map.copyOf(headers);
        this.retries = retries;
        this.backoff = backoff;
        this.stallTimeout = stallTimeout;
    }

    public static Downloader standard() {
        return new Downloader(Map.of(), 3, Duration.ofSeconds(1));
    }

    /** A downloader sending one more header with every request. */
    public Downloader withHeader(String name, String value) {
        var h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Downloader(h, retries, backoff, stallTimeout);
    }

    /** The downloaded file, its size and sha256, and whether an earlier partial download was reused. */
    public record Result(Path file, long bytes, String sha256, boolean resumed) {}

    /**
     * Downloads {@code url} to {@code dest}.
     *
     * @param expectedSha256 hex sha256 the file must have, or null to accept any content
     * @throws DownloadException on HTTP errors, network failures (after retries) and checksum mismatch
     * @throws CancellationToken.CancelledException if cancelled; the partial file is kept for resuming
     */
    public Result download(URI url, Path dest, String expectedSha256, ProgressListener progress, CancellationToken cancel) {
        Path part = dest.resolveSibling(dest.getFileName() + ".part");
        String label = "download " + dest.getFileName();
        boolean resumed = false;
        try {
            if (dest.toAbsolutePath().getParent() != null) Files.createDirectories(dest.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new DownloadException("cannot create folder for " + dest + ": " + e.getMessage(), -1, e);
        }
        for (int attempt = 0; ; attempt++) {
            cancel.throwIfCancelled();
            try {
                long have = Files.exists(part) ? Files.size(part) : 0;
                if (have > 0) resumed = true;
                if (transfer(url, part, have, label, progress, cancel)) break;
            } catch (DownloadException e) {
                throw e; // HTTP errors are answers, not glitches: no retry
            } catch (IOException e) {
                long have = sizeOrZero(part);
                if (attempt >= retries) throw networkError(url, e, have);
                progress.log(label + ": " + describe(e) + " after " + have + " bytes; retrying (" + (attempt + 1) + "/" + retries + ")");
                sleep(backoff.multipliedBy(attempt + 1), cancel);
            }
        }
        String sha = Hashing.sha256(part);
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the message below still tells the user what happened
            }
            throw new DownloadException("sha256 mismatch for " + url + ": expected " + expectedSha256 + ", got " + sha
                    + "; the downloaded file was deleted");
        }
        long size = sizeOrZero(part);
        try {
            try {
                Files.move(part, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new DownloadException("cannot move " + part + " to " + dest + ": " + e.getMessage(), -1, e);
        }
        return new Result(dest, size, sha, resumed);
    }

    /** GETs a small text resource (e.g. a Hub API listing); HTTP errors become {@link DownloadException}. */
    public String fetchText(URI url) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(rb::header);
        try {
            HttpResponse<String> resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) throw httpError(url, resp.statusCode());
            return resp.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationToken.CancelledException();
        } catch (IOException e) {
            throw networkError(url, e, 0);
        }
    }

    /** One request; true when the part file is complete. */
    private boolean transfer(URI url, Path part, long have, String label, ProgressListener progress,
                             CancellationToken cancel) throws IOException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(rb::header);
        if (have > 0) rb.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationToken.CancelledException();
        }
        int status = resp.statusCode();
        try (InputStream body = resp.body()) {
            long offset;
            long total;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    // a range we did not ask for: start over rather than splice wrong bytes
                    Files.deleteIfExists(part);
                    throw new IOException("server answered an unexpected range " + resp.headers().firstValue("Content-Range").orElse("(none)"));
                }
                offset = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (status == 200) {
                offset = 0; // the server ignored the Range header: restart
                long len = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                total = len;
            } else if (status == 416 && have > 0) {
                Matcher m = UNSATISFIED_RANGE.matcher(resp.headers().firstValue("Content-Range").orElse(""));
                if (m.matches() && Long.parseLong(m.group(1)) == have) return true; // the part is already complete
                Files.deleteIfExists(part);
                throw new IOException("partial file " + part + " does not match the server's file; restarting");
            } else {
                throw httpError(url, status);
            }
            var opts = offset == 0
                    ? new StandardOpenOption[]{StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                    : new StandardOpenOption[]{StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE};
            long done = offset;
            long lastReport = 0; // report the first chunk at once, then at most every 100 ms
            long t0 = System.nanoTime();
            byte[] buf = new byte[1 << 16];
            var lastBytes = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
            var stalled = new java.util.concurrent.atomic.AtomicBoolean();
            long period = Math.max(10, stallTimeout.toMillis() / 4);
            var watch = WATCHDOG.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastBytes.get() > stallTimeout.toNanos() && !stalled.getAndSet(true)) {
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // the blocked read fails either way
                    }
                }
            }, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
            try (OutputStream out = Files.newOutputStream(part, opts)) {
                int n;
                while ((n = readOrStall(body, buf, stalled)) > 0) {
                    lastBytes.set(System.nanoTime());
                    out.write(buf, 0, n);
                    done += n;
                    if (cancel.isCancelled()) {
                        out.flush();
                        throw new CancellationToken.CancelledException();
                    }
                    long now = System.nanoTime();
                    if (now - lastReport > 100_000_000L) {
                        lastReport = now;
                        double mbps = (done - offset) / 1e6 / Math.max(1e-9, (now - t0) / 1e9);
                        progress.update(label, done, total, String.format(Locale.ROOT, "%.1f MB/s", mbps));
                    }
                }
            } finally {
                watch.cancel(false);
            }
            if (stalled.get()) throw new IOException("no data received for " + stallTimeout.toMillis() + " ms");
            progress.update(label, done, total, "");
            if (total >= 0 && done != total) throw new IOException("connection closed at byte " + done + " of " + total);
            return true;
        }
    }

    private int readOrStall(InputStream body, byte[] buf, java.util.concurrent.atomic.AtomicBoolean stalled) throws IOException {
        try {
            return body.read(buf);
        } catch (IOException e) {
            if (stalled.get()) throw new IOException("no data received for " + stallTimeout.toMillis() + " ms", e);
            throw e;
        }
    }

    static DownloadException httpError(URI url, int status) {
        String hint = switch (status) {
            case 401, 403 -> " (access denied: for a gated Hugging Face repository accept its licence on the model page and set HF_TOKEN)";
            case 404 -> " (not found: check the repository, revision and file name)";
            case 429 -> " (rate limited: wait and try again)";
            default -> status >= 500 ? " (server error: try again later)" : "";
        };
        return new DownloadException("HTTP " + status + " for " + url + hint, status, null);
    }

    private static DownloadException networkError(URI url, IOException e, long have) {
        boolean noConnection = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof UnresolvedAddressException || e instanceof java.net.UnknownHostException;
        String msg = noConnection
                ? "cannot connect to " + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + " for " + url
                  + " (offline, or the server is unreachable): " + describe(e)
                : "download of " + url + " failed after " + have + " bytes: " + describe(e)
                  + (have > 0 ? "; run it again to resume" : "");
        return new DownloadException(msg, -1, e);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if ((m == null || m.isBlank()) && e.getCause() != null) return describe(e.getCause());
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(Duration d, CancellationToken cancel) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            cancel.throwIfCancelled();
            try {
                Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationToken.CancelledException();
            }
        }
    }
}
