package dev.llmcw.compress.calibration;

import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Hashing;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
        saveGroups(key, set);
        markComplete(key, set.groups().keySet(), set.description());
    }

    /** Writes the groups of {@code set} (a few layers of a streamed capture); the key is not complete yet. */
    public void saveGroups(String key, HessianSet set) throws IOException {
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
    }

    /** Marks {@code key} complete: every group in {@code groups} has been saved. */
    public void markComplete(String key, Collection<String> groups, String description) throws IOException {
        Path dir = folder(key);
        AtomicFiles.writeString(dir.resolve("description.txt"), description);
        // written last: its presence says every group's file is complete (see has)
        AtomicFiles.writeString(dir.resolve("complete"), String.join("\n", groups));
    }

    /**
     * The statistics of {@code key}, each group read when first used (a shard of a few layers reads only
     * theirs). Every group file's header and length are checked here, so a damaged cache fails at once.
     */
    public HessianSet load(String key) throws IOException {
        Path dir = folder(key);
        List<String> keys = groupKeys(key);
        for (String g : keys) checkGroup(dir, g);
        return HessianSet.lazy(
                keys, hasAbsSums(key), Files.readString(dir.resolve("description.txt")), g -> readGroup(dir, g));
    }

    /** A group file's magic, header and length, and its Σ|x| file's length when there is one. */
    private static void checkGroup(Path dir, String g) throws IOException {
        Path f = dir.resolve(g + ".h");
        int n;
        try (var in = new DataInputStream(Files.newInputStream(f))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) throw new IOException(f + ": not a Hessian cache file (bad magic)");
            byte[] raw = in.readNBytes(12);
            if (raw.length != 12) throw new IOException(f + ": truncated header");
            n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }
        if (n <= 0 || n > 1 << 16) throw new IOException(f + ": invalid size " + n);
        long body = Files.size(f) - MAGIC.length - 12;
        if (body != 8L * n * n) throw new IOException(f + ": truncated, " + body + " of " + 8L * n * n + " bytes");
        Path abs = dir.resolve(g + ".abs");
        if (Files.isRegularFile(abs) && Files.size(abs) != ABS_MAGIC.length + 12 + 8L * n)
            throw new IOException(abs + ": not a Σ|x| cache file of " + n + " channels (bad size)");
    }

    /** As {@link #load}, but each group is read when a method first asks for it ({@link HessianSet#streamed}). */
    public HessianSet loadStreamed(String key) throws IOException {
        Path dir = folder(key);
        List<String> keys = groupKeys(key);
        return HessianSet.streamed(
                keys, hasAbsSums(key), Files.readString(dir.resolve("description.txt")), g -> readGroup(dir, g));
    }

    /** Whether every group of the complete {@code key} has Σ|x| per channel beside its sums. */
    public boolean hasAbsSums(String key) throws IOException {
        for (String g : groupKeys(key)) if (!Files.isRegularFile(folder(key).resolve(g + ".abs"))) return false;
        return true;
    }

    private List<String> groupKeys(String key) throws IOException {
        Path dir = folder(key);
        if (!has(key)) throw new IOException(dir + ": no complete Hessian cache");
        List<String> keys = new ArrayList<>();
        for (String g : Files.readAllLines(dir.resolve("complete"))) if (!g.isBlank()) keys.add(g);
        return keys;
    }

    /** One group's sums, read a row at a time (a 8192² group is 0.5 GB: no second copy as bytes). */
    private static HessianAccumulator readGroup(Path dir, String g) throws IOException {
        Path f = dir.resolve(g + ".h");
        try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 20))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) throw new IOException(f + ": not a Hessian cache file (bad magic)");
            ByteBuffer hdr = ByteBuffer.wrap(in.readNBytes(12)).order(ByteOrder.LITTLE_ENDIAN);
            int n = hdr.getInt();
            long count = hdr.getLong();
            if (n <= 0 || n > 1 << 16) throw new IOException(f + ": invalid size " + n);
            double[] sum = new double[n * n];
            byte[] row = new byte[8 * n];
            for (int i = 0; i < n; i++) {
                int got = in.readNBytes(row, 0, row.length);
                if (got != row.length)
                    throw new IOException(f + ": truncated, " + (8L * n * i + got) + " of " + 8L * n * n + " bytes");
                ByteBuffer.wrap(row)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asDoubleBuffer()
                        .get(sum, i * n, n);
            }
            return HessianAccumulator.adopt(n, sum, count, readAbsSum(dir.resolve(g + ".abs"), n, count));
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
