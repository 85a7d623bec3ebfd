package dev.llmcw.compress.calibration;

import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Hashing;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * On-disk cache of calibration statistics keyed by (model hash, calibration file hash, N, L, code version): one
 * folder per key, one binary file per group ("3.mlp_in.h": magic "LLMCWH01", int n, long count, then
 * n×n little-endian doubles), written atomically. Σ|x| per channel (AWQ) sits beside it in "3.mlp_in.abs"
 * (magic "LLMCWA01", int n, long count, n doubles); caches written before it existed have no such file
 * and load without it.
 */
public final class HessianCache {
    private static final byte[] MAGIC = "LLMCWH01".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ABS_MAGIC = "LLMCWA01".getBytes(StandardCharsets.US_ASCII);
    private final Path root;

    public HessianCache(Path root) {
        this.root = root;
    }

    /**
     * Version of the code that computes the statistics (the capture in {@link Calibration}, the sums of
     * {@link HessianAccumulator}): part of every key, so a change there that alters the numbers is bumped here
     * and never meets statistics an older build cached.
     */
    public static final String CODE_VERSION = "calibration-1";

    /**
     * The content address of one calibration: the model's bytes, the calibration text's bytes, N, L and
     * {@link #CODE_VERSION}. Settings that calibrate alike (GPTQ 4-bit and CALDERA rank 8 on the same text)
     * share it, and a cluster's layer shards all read the one folder it names.
     */
    public static String key(String modelHash, String calibrationHash, int count, int length) {
        return Hashing.sha256(CODE_VERSION + "|" + modelHash + "|" + calibrationHash + "|" + count + "|" + length)
                .substring(0, 24);
    }

    public Path folder(String key) {
        return root.resolve(key);
    }

    public boolean has(String key) {
        return Files.isRegularFile(folder(key).resolve("complete"));
    }

    public void save(String key, HessianSet set) throws IOException {
        Path dir = folder(key);
        Files.createDirectories(dir);
        for (var e : set.groups().entrySet()) {
            HessianAccumulator a = e.getValue();
            AtomicFiles.write(dir.resolve(e.getKey() + ".h"), stream -> {
                var out = new DataOutputStream(stream);
                out.write(MAGIC);
                ByteBuffer bb = ByteBuffer.allocate(12)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(a.size())
                        .putLong(a.count());
                out.write(bb.array());
                ByteBuffer row = ByteBuffer.allocate(8 * a.size()).order(ByteOrder.LITTLE_ENDIAN);
                double[] s = a.rawSum();
                for (int i = 0; i < a.size(); i++) {
                    row.clear();
                    for (int j = 0; j < a.size(); j++) row.putDouble(s[i * a.size() + j]);
                    out.write(row.array());
                }
                out.flush();
            });
            if (a.hasAbsSum()) {
                AtomicFiles.write(dir.resolve(e.getKey() + ".abs"), stream -> {
                    var out = new DataOutputStream(stream);
                    out.write(ABS_MAGIC);
                    ByteBuffer bb = ByteBuffer.allocate(12 + 8 * a.size())
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(a.size())
                            .putLong(a.count());
                    for (double v : a.absSum()) bb.putDouble(v);
                    out.write(bb.array());
                    out.flush();
                });
            }
        }
        AtomicFiles.writeString(dir.resolve("description.txt"), set.description());
        // written last: its presence says every group's file is complete (see has)
        AtomicFiles.writeString(
                dir.resolve("complete"), String.join("\n", set.groups().keySet()));
    }

    /**
     * The statistics of {@code key}, each group read when first used (a shard of a few layers reads only
     * theirs). Every group file's header and length are checked here, so a damaged cache fails at once.
     */
    public HessianSet load(String key) throws IOException {
        Path dir = folder(key);
        if (!has(key)) throw new IOException(dir + ": no complete Hessian cache");
        List<String> groups = new ArrayList<>();
        boolean absSums = true;
        for (String g : Files.readAllLines(dir.resolve("complete"))) {
            if (g.isBlank()) continue;
            int n = header(dir.resolve(g + ".h")).n();
            groups.add(g);
            Path abs = dir.resolve(g + ".abs");
            if (!Files.isRegularFile(abs)) absSums = false;
            else if (Files.size(abs) != ABS_MAGIC.length + 12 + 8L * n)
                throw new IOException(abs + ": not a Σ|x| cache file of " + n + " channels (bad size)");
        }
        return new HessianSet(
                groups,
                g -> {
                    try {
                        return readGroup(dir, g);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e.getMessage(), e);
                    }
                },
                absSums,
                Files.readString(dir.resolve("description.txt")));
    }

    private record Header(int n, long count) {}

    /** A group file's magic, size and length, checked. */
    private static Header header(Path f) throws IOException {
        try (var in = new DataInputStream(Files.newInputStream(f))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) throw new IOException(f + ": not a Hessian cache file (bad magic)");
            byte[] raw = in.readNBytes(12);
            if (raw.length != 12) throw new IOException(f + ": truncated header");
            ByteBuffer hdr = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int n = hdr.getInt();
            long count = hdr.getLong();
            if (n <= 0 || n > 1 << 16) throw new IOException(f + ": invalid size " + n);
            long body = Files.size(f) - MAGIC.length - 12;
            if (body != 8L * n * n) throw new IOException(f + ": truncated, " + body + " of " + 8L * n * n + " bytes");
            return new Header(n, count);
        }
    }

    private static HessianAccumulator readGroup(Path dir, String g) throws IOException {
        Path f = dir.resolve(g + ".h");
        Header h = header(f);
        int n = h.n();
        try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 20))) {
            in.skipNBytes(MAGIC.length + 12);
            byte[] body = in.readNBytes(8 * n * n);
            if (body.length != 8 * n * n)
                throw new IOException(f + ": truncated, " + body.length + " of " + 8L * n * n + " bytes");
            double[] sum = new double[n * n];
            ByteBuffer.wrap(body)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asDoubleBuffer()
                    .get(sum);
            return HessianAccumulator.of(n, sum, h.count(), readAbsSum(dir.resolve(g + ".abs"), n, h.count()));
        }
    }

    /** Σ|x| per channel from {@code f}, or null when the cache was written without it. */
    private static double[] readAbsSum(Path f, int n, long count) throws IOException {
        if (!Files.isRegularFile(f)) return null;
        byte[] all = Files.readAllBytes(f);
        if (all.length != ABS_MAGIC.length + 12 + 8 * n
                || !Arrays.equals(Arrays.copyOf(all, ABS_MAGIC.length), ABS_MAGIC))
            throw new IOException(f + ": not a Σ|x| cache file of " + n + " channels (bad magic or size)");
        ByteBuffer bb = ByteBuffer.wrap(all, ABS_MAGIC.length, 12 + 8 * n).order(ByteOrder.LITTLE_ENDIAN);
        if (bb.getInt() != n || bb.getLong() != count)
            throw new IOException(f + ": its size or vector count differs from the Hessian file beside it");
        double[] abs = new double[n];
        bb.asDoubleBuffer().get(abs);
        return abs;
    }
}
