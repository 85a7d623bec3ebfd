package dev.llmcw.engine;

/**
 * Measures main-memory copy bandwidth (STREAM "copy" convention: bytes read + bytes written per
 * second) with all engine threads, on buffers far larger than the caches. Decode speed is judged
 * against it: a matrix–vector product has to stream every weight byte once per token.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    /** Best of {@code reps} parallel copies of a {@code mb}-MiB buffer, in GB/s (10^9 bytes). */
    public static double copyGBs(int mb, int reps) {
        int n = mb * (1 << 20) / 4;
        float[] src = new float[n], dst = new float[n];
        for (int i = 0; i < n; i += 1024) src[i] = i; // touch every page before timing
        int chunks = Parallel.threads() * 8;
        int per = (n + chunks - 1) / chunks;
        double best = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            Parallel.forRange(0, chunks, 1, c -> {
                int from = c * per, len = Math.min(n, from + per) - from;
                if (len > 0) System.arraycopy(src, from, dst, from, len);
            });
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 2.0 * 4 * n / s / 1e9);
        }
        if (dst[n - 1024] != src[n - 1024]) throw new IllegalStateException("copy check failed");
        return best;
    }
}
