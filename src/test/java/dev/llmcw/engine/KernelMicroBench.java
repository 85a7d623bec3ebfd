package dev.llmcw.engine;

import dev.llmcw.tensor.BF16Tensor;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Manual microbenchmark (not a test): GFLOP/s of DenseLinear by thread CPU time, robust to a loaded machine.
 * Arguments: out in batch [f32|bf16|q8_0|q4_0]; for the quantized types compare -Dworkbench.intdot=true/false.
 */
public final class KernelMicroBench {
    public static void main(String[] args) {
        int out = Integer.parseInt(args[0]), in = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        String type = args.length > 3 ? args[3] : "f32";
        boolean bf16 = type.equals("bf16");
        Random r = new Random(1);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        Tensor t;
        if (type.equals("q8_0") || type.equals("q4_0")) {
            // random blocks; decode batches (≤ 3) take the integer path unless -Dworkbench.intdot=false
            DType dt = type.equals("q8_0") ? DType.Q8_0 : DType.Q4_0;
            ByteBuffer b = ByteBuffer.allocate((int) dt.bytesFor(w.length)).order(ByteOrder.LITTLE_ENDIAN);
            for (int blk = 0; blk < w.length / 32; blk++) {
                b.putShort(Half.floatToF16(0.01f));
                for (int j = 0; j < (dt == DType.Q8_0 ? 32 : 16); j++) b.put((byte) r.nextInt(256));
            }
            t = Tensors.wrap(dt, new long[] {out, in}, MemorySegment.ofArray(b.array()));
        } else if (bf16) {
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
