package dev.llmcw.tensor.gemm;

import static dev.llmcw.tensor.KernelSpecies.F;

import dev.llmcw.util.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;

/**
 * The machine's measured float FMA peak through the Vector API: twelve independent vector multiply-adds per
 * step (enough to cover an FMA's latency on two pipes), nothing loaded or stored inside the loop. The yardstick
 * for {@link BlockedGemm}'s GFLOP/s: a kernel cannot beat it, and its share of it says how much of the core
 * the kernel keeps busy. One FMA is two FLOPs per lane.
 */
public final class FmaPeak {
    private FmaPeak() {}

    /**
     * GFLOP/s on one thread and on every engine thread together (each thread its own chains), best of a few
     * runs, wall clock; and per CPU-second of a thread (the chains' FLOPs over the CPU time their threads
     * got): on a shared machine the wall-clock figures drop with the share of the cores this process gets,
     * the per-CPU-second one stays the core's own rate.
     */
    public record Result(double oneThread, double allThreads, double perCpuSecond, int threads) {}

    /** Steps per call of {@link #chain}: short enough for a normal (not on-stack) C2 compile, long enough to hide the call. */
    private static final int STEPS = 4096;

    private static final int ACCUMULATORS = 12;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static Result measure() {
        run(1, 2_000); // warm-up: C2 compiles the chain before anything is timed
        run(Parallel.threads(), 500);
        double one = 0, all = 0, perCpu = 0;
        for (int rep = 0; rep < 3; rep++) {
            double[] a = run(1, 4_000), b = run(Parallel.threads(), 4_000);
            one = Math.max(one, a[0]);
            all = Math.max(all, b[0]);
            perCpu = Math.max(perCpu, Math.max(a[1], b[1]));
        }
        return new Result(one, all, perCpu, Parallel.threads());
    }

    /** {GFLOP/s wall clock, GFLOP per thread-CPU-second} of {@code threads} threads each running {@code calls} chains at once. */
    private static double[] run(int threads, int calls) {
        int n = Math.min(threads, Parallel.threads());
        AtomicLong sink = new AtomicLong(), cpuNanos = new AtomicLong();
        long t0 = System.nanoTime();
        Parallel.forRange(0, n, 1, i -> {
            long c0 = CPU.getCurrentThreadCpuTime();
            float[] acc = new float[ACCUMULATORS * F.length()];
            for (int c = 0; c < calls; c++) chain(acc);
            sink.addAndGet(Float.floatToIntBits(acc[0])); // keeps the work observable
            cpuNanos.addAndGet(CPU.getCurrentThreadCpuTime() - c0);
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        double gflop = 2.0 * ACCUMULATORS * F.length() * STEPS * (double) calls * n / 1e9;
        if (sink.get() == 42) return new double[2];
        return new double[] {gflop / seconds, gflop / Math.max(1e-9, cpuNanos.get() / 1e9)};
    }

    /**
     * STEPS × twelve FMAs c += a·b (tiny a·b: no overflow). The accumulator must be the addend: with it as a
     * factor (c = c·a + b) the same loop measured 35 instead of 100 GFLOP per CPU-second here.
     */
    private static void chain(float[] acc) {
        int l = F.length();
        FloatVector a = FloatVector.broadcast(F, 1e-4f), b = FloatVector.broadcast(F, 1e-3f);
        FloatVector c0 = FloatVector.fromArray(F, acc, 0), c1 = FloatVector.fromArray(F, acc, l);
        FloatVector c2 = FloatVector.fromArray(F, acc, 2 * l), c3 = FloatVector.fromArray(F, acc, 3 * l);
        FloatVector c4 = FloatVector.fromArray(F, acc, 4 * l), c5 = FloatVector.fromArray(F, acc, 5 * l);
        FloatVector c6 = FloatVector.fromArray(F, acc, 6 * l), c7 = FloatVector.fromArray(F, acc, 7 * l);
        FloatVector c8 = FloatVector.fromArray(F, acc, 8 * l), c9 = FloatVector.fromArray(F, acc, 9 * l);
        FloatVector c10 = FloatVector.fromArray(F, acc, 10 * l), c11 = FloatVector.fromArray(F, acc, 11 * l);
        for (int s = 0; s < STEPS; s++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        c0.intoArray(acc, 0);
        c1.intoArray(acc, l);
        c2.intoArray(acc, 2 * l);
        c3.intoArray(acc, 3 * l);
        c4.intoArray(acc, 4 * l);
        c5.intoArray(acc, 5 * l);
        c6.intoArray(acc, 6 * l);
        c7.intoArray(acc, 7 * l);
        c8.intoArray(acc, 8 * l);
        c9.intoArray(acc, 9 * l);
        c10.intoArray(acc, 10 * l);
        c11.intoArray(acc, 11 * l);
    }
}
