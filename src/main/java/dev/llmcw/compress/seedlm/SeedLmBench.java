package dev.llmcw.compress.seedlm;

import dev.llmcw.engine.Parallel;

import java.io.PrintStream;
import java.util.Random;

/** Measurements behind {@code seedlm-bench}: search throughput and on-the-fly matvec vs dense. */
public final class SeedLmBench {
    private final PrintStream out;

    public SeedLmBench(PrintStream out) { this.out = out; }

    public void lfsrCycle(int k) {
        long t0 = System.nanoTime();
        int[] c = Lfsr.cycle(k);
        out.printf("LFSR K=%d: period %,d verified in %.2f s%n", k, c.length, (System.nanoTime() - t0) / 1e9);
    }

    public void search(int blocks) {
        out.printf("seed search (%d threads, Gaussian blocks)%n", Parallel.threads());
        out.printf("| preset | C | P | K | tables s | blocks | wall s | blocks/s (wall) | CPU s | blocks/CPU-s | 2-core projection |%n|---|---|---|---|---|---|---|---|---|---|---|%n");
        for (var preset : new Object[][]{{"4-bit", SeedLmConfig.BITS4}, {"3-bit", SeedLmConfig.BITS3}}) {
            SeedLmConfig cfg = (SeedLmConfig) preset[1];
            long t0 = System.nanoTime();
            SeedSearch s = new SeedSearch(cfg);
            double tables = (System.nanoTime() - t0) / 1e9;
            Random r = new Random(7);
            float[] w = new float[blocks * cfg.c()];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            int warm = Math.min(blocks, 2000);
            run(s, w, warm);
            t0 = System.nanoTime();
            long cpu0 = cpuNanos();
            run(s, w, blocks);
            double sec = (System.nanoTime() - t0) / 1e9, cpu = (cpuNanos() - cpu0) / 1e9;
            out.printf("| %s | %d | %d | %d | %.2f | %d | %.2f | %,.0f | %.2f | %,.0f | %,.0f |%n", preset[0], cfg.c(), cfg.p(), cfg.k(), tables,
                    blocks, sec, blocks / sec, cpu, blocks / cpu, 2 * blocks / cpu);
        }
    }

    /** CPU time of this process: on a shared machine, wall time says more about the neighbours than about the kernel. */
    static long cpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : System.nanoTime();
    }

    private static void run(SeedSearch s, float[] w, int nb) {
        int p = s.config().p();
        s.search(w, nb, new int[nb], new byte[nb], new byte[nb * p], null, null);
    }

    public void matvec(double seconds) {
        out.println("matvec: not yet");
    }
}
