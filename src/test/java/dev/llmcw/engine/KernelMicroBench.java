package dev.llmcw.engine;

import dev.llmcw.tensor.BF16Tensor;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;

/** Manual microbenchmark (not a test): GFLOP/s of DenseLinear by thread CPU time, robust to a loaded machine. */
public final class KernelMicroBench {
    public static void main(String[] args) {
        int out = Integer.parseInt(args[0]), in = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        boolean bf16 = args.length > 3 && args[3].equals("bf16");
        Random r = new Random(1);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        Tensor t;
        if (bf16) {
            short[] h = new short[w.length];
            for (int i = 0; i < w.length; i++) h[i] = Half.floatToBf16(w[i]);
            t = new BF16Tensor(new long[] {out, in}, MemorySegment.ofArray(h));
        } else {
            t = F32Tensor.of(w, out, in);
        }
        DenseLinear l = new DenseLinear(t);
        float[] x = new float[batch * in], y = new float[batch * out];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        var mx = ManagementFactory.getThreadMXBean();
        for (int rep = 0; rep < 30; rep++) {
            long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            int iters = 0;
            while (System.nanoTime() - w0 < 300_000_000L) {
                l.forward(x, 0, y, 0, batch);
                iters++;
            }
            double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9, wall = (System.nanoTime() - w0) / 1e9;
            double flops = 2.0 * out * in * batch * iters;
            if (rep % 5 == 4)
                System.out.printf("cpu %.1f GFLOP/s, wall %.1f GFLOP/s%n", flops / cpu / 1e9, flops / wall / 1e9);
        }
    }
}
