package dev.llmcw.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.ToDoubleBiFunction;

/**
 * Microbenchmark of the decode dots of IQ4_NL, Q4_1, Q2_K and Q3_K (not a test): one thread, a weight matrix of
 * {@code rows × cols} in native memory, every row against one activation row, repeated; prints ns per row for
 * the float path (decode a block, float dot), the integer vector kernel and its scalar twin, interleaved
 * {@code rounds} times so that a loaded machine slows all of them alike. Run with the workbench's JVM options:
 * {@code java @packaging/jvm.options -cp target/classes:target/test-classes dev.llmcw.tensor.LowBitDotBench
 * [rows cols seconds rounds]}.
 */
public final class LowBitDotBench {
    private LowBitDotBench() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 1536;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 1;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Random rnd = new Random(1);
        float[] x = KernelConformance.gaussian(cols, rnd);
        Q8Activations a = Q8Activations.quantize(x, 0, cols, 1);
        Q8KActivations k = Q8KActivations.quantize(x, 0, cols, 1);
        int nb = cols / 32, nk = cols / 256;
        System.out.printf(
                "| type | kernel | ns/row (best of %d rounds) | weight GB/s |%n|---|---|---:|---:|%n", rounds);
        for (DType type : new DType[] {DType.IQ4_NL, DType.Q4_1, DType.Q2_K, DType.Q3_K}) {
            Tensor heap = KernelConformance.random(type, rows, cols, rnd);
            MemorySegment seg = Arena.global().allocate(heap.byteSize(), 64).copyFrom(heap.segment());
            Tensor w = Tensors.wrap(type, new long[] {rows, cols}, seg);
            String[] names = {"float", "int vector", "int scalar twin"};
            @SuppressWarnings("unchecked")
            ToDoubleBiFunction<Tensor, Long>[] kernels = new ToDoubleBiFunction[3];
            kernels[0] = (t, off) -> t.dot(off, x, 0, cols);
            switch (type) {
                case IQ4_NL -> {
                    kernels[1] = (t, off) -> Iq4NlDots.dot(seg, off / 32, nb, a, 0);
                    kernels[2] = (t, off) -> Iq4NlDots.dotScalar(seg, off / 32, nb, a, 0);
                }
                case Q4_1 -> {
                    kernels[1] = (t, off) -> Q4_1Dots.dot(seg, off / 32, nb, a, 0);
                    kernels[2] = (t, off) -> Q4_1Dots.dotScalar(seg, off / 32, nb, a, 0);
                }
                default -> {
                    kernels[1] = (t, off) -> KQuantDotKernels.dot(type, seg, off / 256, nk, k, 0);
                    kernels[2] = (t, off) -> KQuantDotKernels.dotScalar(type, seg, off / 256, nk, k, 0);
                }
            }
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            double sink = 0;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < 3; i++) {
                    long end = System.nanoTime() + (long) (seconds * 1e9);
                    boolean warm = r == 0; // the first round also warms up: its first passes are not counted
                    int passes = 0;
                    do {
                        long t0 = System.nanoTime();
                        for (int row = 0; row < rows; row++) sink += kernels[i].applyAsDouble(w, (long) row * cols);
                        double ns = (System.nanoTime() - t0) / (double) rows;
                        if (!warm || passes >= 3) best[i] = Math.min(best[i], ns);
                        passes++;
                    } while (System.nanoTime() < end);
                }
            }
            for (int i = 0; i < 3; i++) {
                double gbs = type.bytesFor(cols) / best[i];
                System.out.printf("| %s | %s | %.0f | %.2f |%n", type, names[i], best[i], gbs);
            }
            if (sink == 42) System.out.println();
        }
    }
}
