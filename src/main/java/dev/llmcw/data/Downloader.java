package dev.llmcw.data;

import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
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
     * What the file must be: its sha256 (hex, or null when unknown), its size in bytes (-1 when
     * unknown) and the largest size accepted (-1 for no cap; a metadata file far larger than any real
     * one is refused before a byte is written).
     */
    public record Expected(String sha256, long size, long maxBytes) {
        public static Expected sha256(String sha256) {
            return new Expected(sha256, -1, -1);
        }
    }

    /**
     * Downloads {@code url} to {@code dest}.
     *
     * @param expectedSha256 hex sha256 the file must have, or null to accept any content
     * @throws DownloadException on HTTP errors, network failures (after retries) and checksum mismatch
     * @throws CancellationToken.CancelledException if cancelled; the partial file is kept for resuming
     */
    public Result download(
            URI url, Path dest, String expectedSha256, ProgressListener progress, CancellationToken cancel) {
        return downloadVerified(url, dest, Expected.sha256(expectedSha256), progress, cancel);
    }

    /**
     * Downloads {@code url} to {@code dest}, checking size, cap and sha256 as {@code expected} says. A
     * {@code .part} left by an earlier run is resumed only when its bytes can be verified: by the
     * expected sha256, or by the server's ETag saved beside it (sent as If-Range, so a changed file
     * comes back whole); otherwise it is restarted from zero. A resumed file that fails its checks is
     * downloaded once more from the start before the failure is reported.
     */
    public Result downloadVerified(
            URI url, Path dest, Expected expected, ProgressListener progress, CancellationToken cancel) {
        Path part = dest.resolveSibling(dest.getFileName() + ".part");
        String label = "download " + dest.getFileName();
        try {
            if (dest.toAbsolutePath().getParent() != null)
                Files.createDirectories(dest.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new DownloadException("cannot create folder for " + dest + ": " + e.getMessage(), -1, e);
        }
        for (int pass = 0; ; pass++) {
            boolean resumed = fetchPart(new Transfer(url, part, dest, label, expected), progress, cancel);
            long size = sizeOrZero(part);
            String sha = Hashing.sha256(part);
            String problem = expected.size() >= 0 && size != expected.size()
                    ? "size mismatch for " + url + ": expected " + expected.size() + " bytes, got " + size
                    : expected.sha256() != null && !expected.sha256().equalsIgnoreCase(sha)
                            ? "sha256 mismatch for " + url + ": expected " + expected.sha256() + ", got " + sha
                            : null;
            if (problem != null) {
                discard(part);
                if (resumed && pass == 0) {
                    progress.log(label + ": the resumed file failed its check (" + problem
                            + "); downloading it again from the start");
                    continue;
                }
                throw new DownloadException(problem + "; the downloaded file was deleted");
            }
            try {
                AtomicFiles.sync(part);
                AtomicFiles.move(part, dest);
                AtomicFiles.syncDirectory(dest.toAbsolutePath().getParent());
                Files.deleteIfExists(etagFile(part));
            } catch (IOException e) {
                throw new DownloadException("cannot move " + part + " to " + dest + ": " + e.getMessage(), -1, e);
            }
            return new Result(dest, size, sha, resumed);
        }
    }

    /** One file's transfer: where it goes and what it must be. */
    private record Transfer(URI url, Path part, Path dest, String label, Expected expected) {}

    /** Fills the part file, retrying broken connections; true when an earlier part was resumed. */
    private boolean fetchPart(Transfer t, ProgressListener progress, CancellationToken cancel) {
        boolean resumed = false;
        for (int attempt = 0, restarts = 0; ; attempt++) {
            cancel.throwIfCancelled();
            try {
                long have = resumableBytes(t);
                if (have > 0) resumed = true;
                if (transfer(t, have, progress, cancel)) return resumed;
            } catch (DownloadException e) {
                throw e; // HTTP errors and refusals are answers, not glitches: no retry
            } catch (RestartException e) {
                // the part did not match the server's file: it is gone, start over without counting an attempt
                progress.log(t.label() + ": " + e.getMessage() + "; restarting from the start");
                resumed = false;
                if (restarts++ < 2) attempt--;
                else throw networkError(t.url(), e, 0);
            } catch (IOException e) {
                long have = sizeOrZero(t.part());
                if (attempt >= retries) throw networkError(t.url(), e, have);
                progress.log(t.label() + ": " + describe(e) + " after " + have + " bytes; retrying (" + (attempt + 1)
                        + "/" + retries + ")");
                sleep(backoff.multipliedBy(attempt + 1), cancel);
            }
        }
    }

    /**
     * Bytes of the part that may be resumed: all of it when they can be verified (expected sha256, or a
     * saved ETag the server will compare through If-Range), else none (the part is deleted).
     */
    private static long resumableBytes(Transfer t) throws IOException {
        long have = sizeOrZero(t.part());
        if (have == 0) return 0;
        boolean verifiable = t.expected().sha256() != null || Files.isRegularFile(etagFile(t.part()));
        boolean tooLong = t.expected().size() >= 0 && have > t.expected().size();
        if (verifiable && !tooLong) return have;
        discard(t.part());
        return 0;
    }

    /** The server's ETag for the bytes in {@code part}, kept beside it so a later run can resume safely. */
    static Path etagFile(Path part) {
        return part.resolveSibling(part.getFileName() + ".etag");
    }

    private static void discard(Path part) {
        try {
            Files.deleteIfExists(part);
            Files.deleteIfExists(etagFile(part));
        } catch (IOException ignored) {
            // a later run finds the part unverifiable and restarts it
        }
    }

    /** The part did not match the server's file; it has been deleted. */
    private static final class RestartException extends IOException {
        RestartException(String message) {
            super(message);
        }
    }

    /** The largest answer {@link #fetchText} accepts: hub listings of the largest repositories stay far below it. */
    static final int MAX_TEXT_BYTES = 32 << 20;

    /** GETs a small text resource (e.g. a Hub API listing); HTTP errors become {@link DownloadException}. */
    public String fetchText(URI url) {
        HttpRequest.Builder rb =
                HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(rb::header);
        try {
            HttpResponse<InputStream> resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = resp.body()) {
                if (resp.statusCode() != 200) throw httpError(url, resp.statusCode());
                byte[] bytes = body.readNBytes(MAX_TEXT_BYTES + 1);
                if (bytes.length > MAX_TEXT_BYTES) {
                    throw new DownloadException(
                            "refusing the answer from " + url + ": it is larger than " + MAX_TEXT_BYTES + " bytes");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationToken.CancelledException();
        } catch (IOException e) {
            throw networkError(url, e, 0);
        }
    }

    /** One request; true when the part file is complete. */
    private boolean transfer(Transfer t, long have, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        Path part = t.part();
        HttpRequest.Builder rb =
                HttpRequest.newBuilder(t.url()).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(rb::header);
        if (have > 0) {
            rb.header("Range", "bytes=" + have + "-");
            Path etag = etagFile(part);
            if (Files.isRegularFile(etag))
                rb.header("If-Range", Files.readString(etag).strip());
        }
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
                Matcher m = CONTENT_RANGE.matcher(
                        resp.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    // a range we did not ask for: start over rather than splice wrong bytes
                    discard(part);
                    throw new RestartException("server answered an unexpected range "
                            + resp.headers().firstValue("Content-Range").orElse("(none)"));
                }
                String saved = Files.isRegularFile(etagFile(part))
                        ? Files.readString(etagFile(part)).strip()
                        : null;
                String now = strongEtag(resp);
                if (saved != null && now != null && !saved.equals(now)) {
                    discard(part);
                    throw new RestartException(
                            "the file changed on the server (ETag " + saved + " became " + now + ")");
                }
                offset = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (status == 200) {
                offset = 0; // a fresh transfer, or the server ignored the Range (or the file changed): restart
                total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                rememberEtag(part, strongEtag(resp));
            } else if (status == 416 && have > 0) {
                Matcher m = UNSATISFIED_RANGE.matcher(
                        resp.headers().firstValue("Content-Range").orElse(""));
                if (m.matches() && Long.parseLong(m.group(1)) == have) return true; // the part is already complete
                discard(part);
                throw new RestartException("partial file " + part + " does not match the server's file");
            } else {
                throw httpError(t.url(), status);
            }
            checkAnnouncedSize(t, total, offset);
            var opts = offset == 0
                    ? new OpenOption[] {
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS
                    }
                    : new OpenOption[] {
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS
                    };
            long done = offset;
            long lastReport = 0; // report the first chunk at once, then at most every 100 ms
            long t0 = System.nanoTime();
            byte[] buf = new byte[1 << 16];
            var lastBytes = new AtomicLong(System.nanoTime());
            var stalled = new AtomicBoolean();
            long period = Math.max(10, stallTimeout.toMillis() / 4);
            var watch = WATCHDOG.scheduleAtFixedRate(
                    () -> {
                        if (System.nanoTime() - lastBytes.get() > stallTimeout.toNanos() && !stalled.getAndSet(true)) {
                            try {
                                body.close();
                            } catch (IOException ignored) {
                                // the blocked read fails either way
                            }
                        }
                    },
                    period,
                    period,
                    TimeUnit.MILLISECONDS);
            try (OutputStream out = Files.newOutputStream(part, opts)) {
                int n;
                while ((n = readOrStall(body, buf, stalled)) > 0) {
                    lastBytes.set(System.nanoTime());
                    out.write(buf, 0, n);
                    done += n;
                    if (t.expected().maxBytes() >= 0 && done > t.expected().maxBytes()) {
                        out.close();
                        discard(part);
                        throw tooLarge(t, done + " bytes or more");
                    }
                    if (cancel.isCancelled()) {
                        out.flush();
                        throw new CancellationToken.CancelledException();
                    }
                    long now = System.nanoTime();
                    if (now - lastReport > 100_000_000L) {
                        lastReport = now;
                        double mbps = (done - offset) / 1e6 / Math.max(1e-9, (now - t0) / 1e9);
                        progress.update(t.label(), done, total, String.format(Locale.ROOT, "%.1f MB/s", mbps));
                    }
                }
            } finally {
                watch.cancel(false);
            }
            if (stalled.get()) throw new IOException("no data received for " + stallTimeout.toMillis() + " ms");
            progress.update(t.label(), done, total, "");
            if (total >= 0 && done != total)
                throw new IOException("connection closed at byte " + done + " of " + total);
            return true;
        }
    }

    /** Refuses, before writing, a file that is larger than its cap, of another size than expected, or larger than the free disk space. */
    private static void checkAnnouncedSize(Transfer t, long total, long offset) throws IOException {
        if (total < 0) return;
        Expected e = t.expected();
        if (e.maxBytes() >= 0 && total > e.maxBytes()) {
            discard(t.part());
            throw tooLarge(t, total + " bytes");
        }
        if (e.size() >= 0 && total != e.size()) {
            discard(t.part());
            throw new DownloadException("size mismatch for " + t.url() + ": the server sends " + total
                    + " bytes, expected " + e.size() + "; nothing was written");
        }
        DiskSpace.require(t.dest(), total - offset, t.url().toString());
    }

    private static DownloadException tooLarge(Transfer t, String size) {
        return new DownloadException("refusing " + t.dest().getFileName() + " from " + t.url() + ": it is " + size
                + ", and a file of this kind may be at most " + t.expected().maxBytes() + " bytes");
    }

    /** The response's ETag when it is a strong one (a weak ETag cannot validate a byte range). */
    private static String strongEtag(HttpResponse<?> resp) {
        String e = resp.headers().firstValue("ETag").orElse(null);
        return e == null || e.startsWith("W/") ? null : e;
    }

    private static void rememberEtag(Path part, String etag) throws IOException {
        if (etag == null) Files.deleteIfExists(etagFile(part));
        else Files.writeString(etagFile(part), etag);
    }

    private int readOrStall(InputStream body, byte[] buf, AtomicBoolean stalled) throws IOException {
        try {
            return body.read(buf);
        } catch (IOException e) {
            if (stalled.get()) throw new IOException("no data received for " + stallTimeout.toMillis() + " ms", e);
            throw e;
        }
    }

    static DownloadException httpError(URI url, int status) {
        String hint = switch (status) {
            case 401, 403 ->
                " (access denied: for a gated Hugging Face repository accept its licence on the model page and set HF_TOKEN)";
            case 404 -> " (not found: check the repository, revision and file name)";
            case 429 -> " (rate limited: wait and try again)";
            default -> status >= 500 ? " (server error: try again later)" : "";
        };
        return new DownloadException("HTTP " + status + " for " + url + hint, status, null);
    }

    private static DownloadException networkError(URI url, IOException e, long have) {
        boolean noConnection = e instanceof ConnectException
                || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof UnresolvedAddressException
                || e instanceof UnknownHostException;
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
