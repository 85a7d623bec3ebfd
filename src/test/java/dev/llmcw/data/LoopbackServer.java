package dev.llmcw.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny HTTP server on 127.0.0.1 (ephemeral port) for download tests: serves byte arrays with
 * Range support, can break the connection halfway through a file for the first N requests, and
 * records every request's path and Range header.
 */
public final class LoopbackServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    record Request(String path, String range, String authorization, String ifRange) {}

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> breaks = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> stalls = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, String> etags = new ConcurrentHashMap<>();
    private final Map<String, Long> announced = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile boolean honourRange = true;

    public LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        // one thread per request: a stalling handler must not block the retry
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void put(String path, byte[] content) {
        files.put(path, content);
    }

    /** Answers requests for {@code path} with this HTTP status and no body. */
    void status(String path, int status) {
        statuses.put(path, status);
    }

    /** Answers requests for {@code path} with this ETag; a Range request whose If-Range differs gets the whole file (RFC 9110). */
    void etag(String path, String etag) {
        etags.put(path, etag);
    }

    /** Answers {@code path} with this Content-Length (however large), sends a few bytes and closes. */
    void announce(String path, long length) {
        announced.put(path, length);
    }

    /** The next {@code times} requests for {@code path} send half of the body and then drop the connection. */
    void breakMidFile(String path, int times) {
        breaks.put(path, new AtomicInteger(times));
    }

    /** The next {@code times} requests for {@code path} send half of the body and then go silent for 10 s. */
    void stallMidFile(String path, int times) {
        stalls.put(path, new AtomicInteger(times));
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        requests.add(new Request(
                ex.getRequestURI().toString(), range, ex.getRequestHeaders().getFirst("Authorization"), ifRange));
        Integer forced = statuses.get(path);
        if (forced != null) {
            ex.sendResponseHeaders(forced, -1);
            ex.close();
            return;
        }
        Long claimed = announced.get(path);
        if (claimed != null) {
            ex.sendResponseHeaders(200, claimed);
            ex.getResponseBody().write(new byte[16]);
            ex.getResponseBody().flush();
            throw new IllegalStateException("announced more than it sends"); // drops the connection
        }
        byte[] body = files.get(ex.getRequestURI().toString());
        if (body == null) body = files.get(path);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        String etag = etags.get(path);
        if (etag != null) ex.getResponseHeaders().add("ETag", etag);
        int from = 0;
        Matcher m = range == null ? null : RANGE.matcher(range);
        boolean sameEntity = ifRange == null || ifRange.equals(etag);
        if (honourRange && sameEntity && m != null && m.matches()) from = Integer.parseInt(m.group(1));
        if (from > body.length || (from == body.length && from > 0)) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
            ex.sendResponseHeaders(416, -1);
            ex.close();
            return;
        }
        int len = body.length - from;
        if (from > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, len);
        } else {
            ex.sendResponseHeaders(200, len);
        }
        AtomicInteger b = breaks.get(path);
        AtomicInteger st = stalls.get(path);
        OutputStream out = ex.getResponseBody();
        if (st != null && st.getAndDecrement() > 0) {
            out.write(body, from, len / 2);
            out.flush();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("stalled");
        }
        if (b != null && b.getAndDecrement() > 0) {
            out.write(body, from, len / 2);
            out.flush();
            // A handler that throws makes the server close the connection with the body incomplete:
            // a broken transfer as the client sees it.
            throw new IllegalStateException("simulated connection break");
        }
        out.write(body, from, len);
        out.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
