package dev.llmcw.engine;

import dev.llmcw.util.Parallel;
import java.util.Arrays;

/**
 * Measures main-memory copy bandwidth, the yardstick decode speed is judged against (a matrix–vector
 * product has to stream every weight byte once per token).
 *
 * <p>Convention (STREAM "copy"): a float array of {@code mb} MiB is copied into a second one with
 * {@link System#arraycopy}, split into {@code 8 × threads} contiguous chunks that all engine threads
 * ({@link Parallel#threads()}) take part in; each copy counts 2 × {@code mb} MiB (bytes read + bytes
 * written; write-allocate traffic is not counted), in GB/s of 10^9 bytes. Both buffers are filled
 * before timing (so no copy pays first-touch page faults) and one untimed copy warms up the threads;
 * the result is the best of {@code reps} timed copies, with the median reported beside it so a noisy
 * (shared) machine shows up as a gap between the two.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    /** Best and median of the timed copies, in GB/s; {@code threads} copying, {@code mb} MiB per buffer. */
    public record Result(double bestGBs, double medianGBs, int reps, int threads, int mb) {}

    public static Result measure(int mb, int reps) {
        if (mb < 1 || reps < 1)
            throw new IllegalArgumentException("need mb >= 1 and reps >= 1, got " + mb + ", " + reps);
        int n = Math.toIntExact(mb * (1L << 20) / 4);
        float[] src = new float[n], dst = new float[n];
        int threads = Parallel.threads();
        int chunks = threads * 8;
        int per = (n + chunks - 1) / chunks;
        // fill both buffers (in parallel, so each thread first-touches its own chunks)
        Parallel.forRange(0, chunks, 1, c -> {
            int from = Math.min(n, c * per), to = Math.min(n, from + per);
            for (int i = from; i < to; i++) src[i] = i;
            Arrays.fill(dst, from, to, -1f);
        });
        double[] rates = new double[reps];
        for (int r = -1; r < reps; r++) {
            long t0 = System.nanoTime();
            Parallel.forRange(0, chunks, 1, c -> {
                int from = Math.min(n, c * per), len = Math.min(n, from + per) - from;
                if (len > 0) System.arraycopy(src, from, dst, from, len);
            });
            double s = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) rates[r] = 2.0 * 4 * n / s / 1e9; // r = -1: warm-up, not counted
        }
        if (dst[n - 1] != src[n - 1] || dst[n / 2] != src[n / 2]) throw new IllegalStateException("copy check failed");
        Arrays.sort(rates);
        double median = reps % 2 == 1 ? rates[reps / 2] : (rates[reps / 2 - 1] + rates[reps / 2]) / 2;
        return new Result(rates[reps - 1], median, reps, threads, mb);
    }
}
