package dev.llmcw.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Microbenchmark of the decode dot kernels (not a test): one thread, a weight matrix of {@code rows × cols},
 * every row pair against one quantized activation row, repeated; prints ns per row and weight GB/s. Run with
 * the workbench's JVM options: {@code java @packaging/jvm.options ... dev.llmcw.tensor.DecodeKernelBench rows cols seconds}.
 */
public final class DecodeKernelBench {
    private DecodeKernelBench() {}

    interface RowPair {
        long run(Tensor w, long offA, long offB, float[] x, Q8Activations a, Q8KActivations k);
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 576;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
        String only = args.length > 3 ? args[3] : "";
        Random rnd = new Random(1);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
        Q8Activations a = Q8Activations.quantize(x, 0, cols, 1);
        Q8KActivations k = cols % 256 == 0 ? Q8KActivations.quantize(x, 0, cols, 1) : null;
        for (DType type : new DType[] {
            DType.Q4_0, DType.Q8_0, DType.Q5_0, DType.Q5_1, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.F32, DType.BF16
        }) {
            if (!only.isEmpty() && !only.contains(type.name())) continue;
            if (type.name().endsWith("_K") && k == null) continue;
            Tensor heap = KernelConformance.random(type, rows, cols, rnd);
            // native memory, as a mapped model file is
            MemorySegment seg = Arena.global().allocate(heap.byteSize(), 64).copyFrom(heap.segment());
            Tensor w = Tensors.wrap(type, new long[] {rows, cols}, seg);
            bench(
                    type + " float",
                    w,
                    rows,
                    cols,
                    seconds,
                    x,
                    a,
                    k,
                    (t, oa, ob, xx, aa, kk) -> t.dotPair(oa, t, ob, xx, 0, cols));
            if (t(type))
                bench(
                        type + " int",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) -> t.dotPairQ8(oa, t, ob, aa, 0));
            int nb = cols / 32;
            MemorySegment sg = w.segment();
            if (type == DType.Q8_0) {
                bench(
                        "Q8_0 shift",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) ->
                                DecodeKernelVariants.q8PairShift(sg, oa / 32, sg, ob / 32, nb, aa, 0));
                short[] xeo = new short[cols];
                for (int i = 0; i < cols; i++) xeo[(i / 32) * 32 + (i % 2) * 16 + (i % 32) / 2] = a.s[i];
                bench(
                        "Q8_0 evenodd",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) ->
                                DecodeKernelVariants.q8PairEvenOdd(sg, oa / 32, sg, ob / 32, nb, xeo, aa.d));
            }
            if (type == DType.Q4_0) {
                int[] xsum = new int[nb];
                for (int i = 0; i < cols; i++) xsum[i / 32] += a.s[i];
                bench(
                        "Q4_0 nosub",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) ->
                                DecodeKernelVariants.q4PairNoSub(sg, oa / 32, sg, ob / 32, nb, aa.s, aa.d, xsum));
                float[] out4 = new float[4];
                // quad: offA and offB are rows r and r+16; the quad takes r, r+16 and the next two, counted as two
                // pairs
                bench("Q4_0 quad/2", w, rows, cols, seconds, x, a, k, (t, oa, ob, xx, aa, kk) -> {
                    float s4 = DecodeKernelVariants.q4Quad(
                            sg,
                            oa / 32,
                            ob / 32,
                            (oa / 32 / nb + 1) % rows * nb,
                            (ob / 32 / nb + 1) % rows * nb,
                            nb,
                            aa.s,
                            aa.d,
                            out4);
                    return FloatPair.pack(s4, 0f);
                });
            }
            if (type == DType.Q4_K)
                bench(
                        "Q4_K old",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) -> FloatPair.pack(
                                DecodeKernelVariants.q4KOld(sg, oa / 256, cols / 256, kk, 0),
                                DecodeKernelVariants.q4KOld(sg, ob / 256, cols / 256, kk, 0)));
            if (type == DType.Q6_K)
                bench(
                        "Q6_K old",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) -> FloatPair.pack(
                                DecodeKernelVariants.q6KOld(sg, oa / 256, cols / 256, kk, 0),
                                DecodeKernelVariants.q6KOld(sg, ob / 256, cols / 256, kk, 0)));
            if (type == DType.Q5_K)
                bench(
                        "Q5_K scalar",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) -> FloatPair.pack(
                                KQuantDotKernels.dotScalar(DType.Q5_K, sg, oa / 256, cols / 256, kk, 0),
                                KQuantDotKernels.dotScalar(DType.Q5_K, sg, ob / 256, cols / 256, kk, 0)));
            if (type.name().endsWith("_K"))
                bench(
                        type + " intK",
                        w,
                        rows,
                        cols,
                        seconds,
                        x,
                        a,
                        k,
                        (t, oa, ob, xx, aa, kk) -> t.dotPairQ8K(oa, t, ob, kk, 0));
        }
    }

    private static boolean t(DType type) {
        return type == DType.Q4_0 || type == DType.Q8_0 || type == DType.Q5_0 || type == DType.Q5_1;
    }

    private static void bench(
            String name,
            Tensor w,
            int rows,
            int cols,
            double seconds,
            float[] x,
            Q8Activations a,
            Q8KActivations k,
            RowPair kernel) {
        float sink = 0;
        // warm-up on the first 64 rows: a cold Vector API kernel runs its Java fallback, milliseconds a row
        for (long end = System.nanoTime() + (long) (seconds * 0.5e9); System.nanoTime() < end; ) {
            for (int p = 0; p < 32; p++) {
                long pair = kernel.run(w, (long) p * cols, (long) (p + 32) * cols, x, a, k);
                sink += FloatPair.first(pair);
            }
        }
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int half = 16;
        do {
            long t0 = System.nanoTime();
            for (int base = 0; base + 2 * half <= rows; base += 2 * half) {
                for (int p = 0; p < half; p++) {
                    long pair = kernel.run(w, (long) (base + p) * cols, (long) (base + p + half) * cols, x, a, k);
                    sink += FloatPair.first(pair) + FloatPair.second(pair);
                }
            }
            best = Math.min(best, (System.nanoTime() - t0) / (double) rows);
        } while (System.nanoTime() < deadline);
        double bytesPerRow = (double) w.byteSize() / rows;
        System.out.printf(
                "%-12s %8.1f ns/row  %6.2f GB/s  %6.2f ns/32w  (%s)%n",
                name, best, bytesPerRow / best, best / (cols / 32.0), sink == 12345 ? "x" : "");
    }
}
