package dev.llmcw.engine;

import static dev.llmcw.tensor.KernelSpecies.F;

import dev.llmcw.util.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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

    /**
     * Best streaming read rate in GB/s of every engine thread over a float buffer of {@code mb} MiB, summed with
     * vector loads (bytes read only, best of {@code reps} after a warm-up): what a decode that streams its weights
     * can reach, where {@link #measure} (copy) counts reads and writes.
     */
    public static double read(int mb, int reps) {
        if (mb < 1 || reps < 1)
            throw new IllegalArgumentException("need mb >= 1 and reps >= 1, got " + mb + ", " + reps);
        int n = Math.toIntExact(mb * (1L << 20) / 4);
        float[] buf = new float[n];
        int chunks = Parallel.threads() * 8, per = (n / chunks) / F.length() * F.length();
        Parallel.forRange(0, chunks, 1, c -> Arrays.fill(buf, c * per, c == chunks - 1 ? n : (c + 1) * per, 1e-3f));
        float[] sink = new float[chunks];
        double best = 0;
        for (int r = -1; r < reps; r++) {
            long t0 = System.nanoTime();
            Parallel.forRange(0, chunks, 1, c -> sink[c] += sum(buf, c * per, per));
            double s = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) best = Math.max(best, 4.0 * per * chunks / s / 1e9);
        }
        if (Float.isNaN(sink[0])) throw new IllegalStateException("read check failed");
        return best;
    }

    /** Σ buf[from .. from + len), len a multiple of the vector length; four chains so no add waits on the last. */
    private static float sum(float[] buf, int from, int len) {
        int l = F.length();
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        int i = from, end = from + len;
        for (; i + 4 * l <= end; i += 4 * l) {
            a = a.add(FloatVector.fromArray(F, buf, i));
            b = b.add(FloatVector.fromArray(F, buf, i + l));
            c = c.add(FloatVector.fromArray(F, buf, i + 2 * l));
            d = d.add(FloatVector.fromArray(F, buf, i + 3 * l));
        }
        for (; i < end; i += l) a = a.add(FloatVector.fromArray(F, buf, i));
        return a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
    }
}
