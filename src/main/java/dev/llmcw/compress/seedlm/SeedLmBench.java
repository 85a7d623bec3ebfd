package dev.llmcw.compress.seedlm;

import dev.llmcw.engine.DenseLinear;
import dev.llmcw.tensor.BF16Tensor;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Random;

/** Measurements behind {@code seedlm-bench}: search throughput and on-the-fly matvec vs dense. */
public final class SeedLmBench {
    private final PrintStream out;

    public SeedLmBench(PrintStream out) {
        this.out = out;
    }

    public void lfsrCycle(int k) {
        long t0 = System.nanoTime();
        int[] c = Lfsr.cycle(k);
        out.printf("LFSR K=%d: period %,d verified in %.2f s%n", k, c.length, (System.nanoTime() - t0) / 1e9);
    }

    public void search(int blocks) {
        out.printf("seed search (%d threads, Gaussian blocks)%n", Parallel.threads());
        out.printf(
                "| preset | C | P | K | tables s | blocks | wall s | blocks/s (wall) | CPU s | blocks/CPU-s | 2-core projection |%n|---|---|---|---|---|---|---|---|---|---|---|%n");
        for (var preset : new Object[][] {{"4-bit", SeedLmConfig.BITS4}, {"3-bit", SeedLmConfig.BITS3}}) {
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
            out.printf(
                    "| %s | %d | %d | %d | %.2f | %d | %.2f | %,.0f | %.2f | %,.0f | %,.0f |%n",
                    preset[0],
                    cfg.c(),
                    cfg.p(),
                    cfg.k(),
                    tables,
                    blocks,
                    sec,
                    blocks / sec,
                    cpu,
                    blocks / cpu,
                    2 * blocks / cpu);
        }
    }

    /** CPU time of this process: on a shared machine, wall time says more about the neighbours than about the kernel. */
    static long cpuNanos() {
        long cpu = ProcessStats.cpuNanos();
        return cpu >= 0 ? cpu : System.nanoTime();
    }

    private static void run(SeedSearch s, float[] w, int nb) {
        int p = s.config().p();
        s.search(w, nb, new int[nb], new byte[nb], new byte[nb * p], null, null);
    }

    /**
     * On-the-fly SeedLM matvec (4-bit preset) vs dense BF16 and F32 ({@link DenseLinear}) at Llama-3.2-1B
     * layer shapes, one token (batch 1). Weights are random codes/seeds: the kernels' cost does not depend
     * on the values. "bytes/token" = bytes of weights one matvec reads.
     */
    public void matvec(double seconds) {
        out.printf(
                "matvec, batch 1, %d threads (wall µs; CPU µs per matvec in brackets; kernels interleaved in 10 rounds)%n",
                Parallel.threads());
        out.println(
                "| shape (out x in) | layer | µs/matvec (CPU µs) | matvec/s | bytes/token | GB/s | vs dense BF16 (wall) | vs dense BF16 (CPU) |");
        out.println("|---|---|---|---|---|---|---|---|");
        warmUp();
        for (int[] shape : new int[][] {{2048, 2048}, {8192, 2048}, {2048, 8192}}) {
            int rows = shape[0], cols = shape[1];
            SeedLmTensor t = randomTensor(rows, cols, SeedLmConfig.BITS4, 11);
            float[] w = t.decode();
            Arena arena = Arena.ofAuto();
            MemorySegment bf = arena.allocate(2L * w.length, 64), f32 = arena.allocate(4L * w.length, 64);
            for (int i = 0; i < w.length; i++) {
                bf.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Half.floatToBf16(w[i]));
                f32.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, w[i]);
            }
            Linear[] layers = {
                new DenseLinear(new BF16Tensor(new long[] {rows, cols}, bf)),
                new DenseLinear(new F32Tensor(new long[] {rows, cols}, f32)),
                new LfsrSteppingLinear(t),
                new SeedLmLinear(t),
                new CachedBasisSeedLmLinear(t)
            };
            float[] x = new float[cols];
            Random r = new Random(1);
            for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
            float[] y = new float[rows];
            for (Linear l : layers) { // warm-up
                long deadline = System.nanoTime() + (long) (0.3e9 * seconds);
                while (System.nanoTime() < deadline) l.forward(x, y);
            }
            // Interleaved rounds: on a shared machine the neighbours' load drifts; every kernel sees the same drift.
            int rounds = 10;
            long[] n = new long[layers.length], wall = new long[layers.length], cpu = new long[layers.length];
            for (int round = 0; round < rounds; round++) {
                for (int li = 0; li < layers.length; li++) {
                    Linear l = layers[li];
                    long t0 = System.nanoTime(), cpu0 = cpuNanos(), deadline = t0 + (long) (seconds * 1e9 / rounds);
                    long k = 0;
                    while (System.nanoTime() < deadline || k < 2) {
                        l.forward(x, y);
                        k++;
                    }
                    n[li] += k;
                    wall[li] += System.nanoTime() - t0;
                    cpu[li] += cpuNanos() - cpu0;
                }
            }
            double bf16Us = wall[0] / 1e3 / n[0], bf16Cpu = cpu[0] / 1e3 / n[0];
            for (int li = 0; li < layers.length; li++) {
                Linear l = layers[li];
                double us = wall[li] / 1e3 / n[li], cpuUs = cpu[li] / 1e3 / n[li];
                out.printf(
                        Locale.ROOT,
                        "| %dx%d | %s | %.0f (%.0f) | %,.0f | %,d | %.1f | %.2fx | %.2fx |%n",
                        rows,
                        cols,
                        l.kind(),
                        us,
                        cpuUs,
                        1e6 / us,
                        l.storageBytes(),
                        l.storageBytes() / us / 1e3,
                        bf16Us / us,
                        bf16Cpu / cpuUs);
            }
        }
        out.printf(
                Locale.ROOT,
                "bytes/token = packed block data only (rows padded to %d); seedlm on-the-fly also reads the LFSR jump"
                        + " table, shared by all layers and independent of the model: %,d bytes for K = 16 (L2-resident)%n",
                KernelSpecies.F.length(),
                new SeedLmLinear(randomTensor(16, 8, SeedLmConfig.BITS4, 1)).sharedTableBytes());
    }

    /** Gets every kernel JIT-compiled on a small layer first, so the big shapes are not timed in the interpreter. */
    private static void warmUp() {
        SeedLmTensor t = randomTensor(256, 256, SeedLmConfig.BITS4, 3);
        float[] x = new float[256], y = new float[256];
        Linear[] ls = {
            new SeedLmLinear(t),
            new LfsrSteppingLinear(t),
            new CachedBasisSeedLmLinear(t),
            new DenseLinear(F32Tensor.of(t.decode(), 256, 256))
        };
        for (Linear l : ls) for (int i = 0; i < 3000; i++) l.forward(x, y);
    }

    static SeedLmTensor randomTensor(int rows, int cols, SeedLmConfig cfg, long seed) {
        Random r = new Random(seed);
        int nb = rows * SeedLmTensor.blocksPerRow(cols, cfg);
        int[] seeds = new int[nb];
        byte[] e = new byte[nb], q = new byte[nb * cfg.p()];
        for (int i = 0; i < nb; i++) {
            seeds[i] = 1 + r.nextInt((1 << cfg.k()) - 1);
            e[i] = (byte) (r.nextInt(4) - 8);
        }
        for (int i = 0; i < q.length; i++) q[i] = (byte) (r.nextInt(16) - 8);
        return new SeedLmTensor(rows, cols, cfg, seeds, e, q, 1f);
    }
}
