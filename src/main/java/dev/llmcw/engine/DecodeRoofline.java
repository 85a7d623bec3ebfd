package dev.llmcw.engine;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.FloatPair;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.SplittableRandom;

/**
 * The two ceilings of a decode step: a matrix–vector product streams every weight once per token, so decode
 * cannot beat (a) the machine's streaming read bandwidth over the bytes read per token, nor (b) the dot
 * kernel's own rate with its weights already in cache, over the weights per token. The lower of the two is
 * the roofline that an achieved decode rate is judged against; where a type decodes far below (a) but near
 * (b), its kernel, not memory, is the limit.
 *
 * <p>(a) {@link MemoryBandwidth#read}: a float buffer well above the last-level cache is summed (vector loads only,
 * four independent accumulators) by every engine thread, contiguous chunks each; GB/s of 10^9 bytes read, best
 * of the timed passes (one untimed pass first). Unlike {@link MemoryBandwidth} (copy: read + write) this is the
 * traffic a matrix–vector product makes.
 *
 * <p>(b) {@link #kernelRate}: one thread, a random matrix of the type that fits the L2 cache (≤ 256 KiB) in
 * native memory, every row pair through the same call a decode step makes ({@link Tensor#dotPairQ8} against
 * one {@link Q8Activations} row for types with an integer dot, {@link Tensor#dotPair} against floats
 * otherwise), repeated; weights per thread-CPU-second (the core's own rate, immune to a shared machine),
 * best pass. Multiplied by the thread count it assumes perfect scaling, so it is an upper bound.
 */
public final class DecodeRoofline {
    private DecodeRoofline() {}

    /** The types {@link #kernelRate} can make random matrices of. */
    public static final EnumSet<DType> KERNEL_TYPES =
            EnumSet.of(DType.F32, DType.BF16, DType.F16, DType.Q8_0, DType.Q4_0);

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final int CACHED_BYTES = 256 << 10;

    /** A kernel's in-cache rate: weights per thread-CPU-second on one thread, and the bytes those weights take. */
    public record KernelRate(DType type, int cols, int rows, String path, double weightsPerSecond) {
        public double bytesPerSecond() {
            return weightsPerSecond * type.bytesFor(type.blockSize()) / type.blockSize();
        }
    }

    /** The decode kernel of {@code type} on rows of {@code cols} weights in cache, timed in windows of {@code seconds}. */
    public static KernelRate kernelRate(DType type, int cols, double seconds) {
        if (!KERNEL_TYPES.contains(type)) throw new IllegalArgumentException("no random matrices of " + type);
        int rows = (int) Math.max(32, Math.min(1024, CACHED_BYTES / type.bytesFor(cols)) / 32 * 32);
        return measure(random(type, rows, cols, new SplittableRandom(11)), rows, cols, seconds);
    }

    /**
     * The decode kernel on the first rows (≤ 256 KiB, whole blocks of 32 rows) of a model's own matrix {@code w}:
     * the same storage (segment class, data) as its decode, so the kernel is timed as the decode compiled it.
     */
    public static KernelRate kernelRate(Tensor w, double seconds) {
        long[] shape = w.shape();
        int cols = Math.toIntExact(shape[1]);
        long rowBytes = w.dtype().bytesFor(cols);
        int rows = (int) Math.min(shape[0], Math.max(32, CACHED_BYTES / rowBytes)) / 32 * 32;
        if (rows < 32) throw new IllegalArgumentException("need at least 32 rows, got " + shape[0]);
        MemorySegment slice = w.segment().asSlice(0, rows * rowBytes);
        return measure(Tensors.wrap(w.dtype(), new long[] {rows, cols}, slice), rows, cols, seconds);
    }

    private static KernelRate measure(Tensor w, int rows, int cols, double seconds) {
        DType type = w.dtype();
        SplittableRandom rnd = new SplittableRandom(12);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
        boolean integer = w.hasIntegerDot() && Q8Activations.enabled() && Q8Activations.fits(cols);
        Q8Activations a = integer ? Q8Activations.quantize(x, 0, cols, 1) : null;
        // Windows of timed passes until two in a row agree within 3 % (at most 10): until C2 has compiled the
        // kernel the Vector API runs its Java fallback, and on a loaded machine the compile queue can take seconds.
        float[] sink = new float[1];
        double best = 0, previous = -1;
        for (int window = 0; window < 10 && !(Math.abs(best - previous) <= 0.03 * best); window++) {
            previous = best;
            best = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            do {
                long c0 = CPU.getCurrentThreadCpuTime();
                pass(w, rows, cols, x, a, sink);
                double cpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
                if (cpu > 0) best = Math.max(best, (double) rows * cols / cpu);
            } while (System.nanoTime() < end);
        }
        if (sink[0] == 12345f) System.out.print(""); // keeps the sums observable
        return new KernelRate(type, cols, rows, integer ? "integer (Q8 activations)" : "float", best);
    }

    /** Every row pair of w once (rows p and p + 16 of each block of 32, as decode pairs them), as a decode step calls them. */
    private static void pass(Tensor w, int rows, int cols, float[] x, Q8Activations a, float[] sink) {
        float s = 0;
        for (int base = 0; base < rows; base += 32) {
            for (int p = 0; p < 16; p++) {
                long offA = (long) (base + p) * cols, offB = offA + 16L * cols;
                long pair = a != null ? w.dotPairQ8(offA, w, offB, a, 0) : w.dotPair(offA, w, offB, x, 0, cols);
                s += FloatPair.first(pair) + FloatPair.second(pair);
            }
        }
        sink[0] += s;
    }

    /** rows × cols random weights of {@code type} in native memory, as a mapped model file is. */
    static Tensor random(DType type, int rows, int cols, SplittableRandom rnd) {
        long n = (long) rows * cols;
        MemorySegment seg = Arena.ofAuto().allocate(type.bytesFor(n), 64);
        var f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < n; i++) seg.setAtIndex(f32, i, (float) rnd.nextGaussian());
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) seg.setAtIndex(i16, i, Half.floatToBf16((float) rnd.nextGaussian()));
            }
            case F16 -> {
                for (long i = 0; i < n; i++) seg.setAtIndex(i16, i, Half.floatToF16((float) rnd.nextGaussian()));
            }
            case Q8_0, Q4_0 -> {
                int block = (int) type.bytesFor(32);
                for (long b = 0; b < n / 32; b++) {
                    seg.set(i16, b * block, Half.floatToF16((float) (0.01 + 0.05 * rnd.nextDouble())));
                    for (int j = 2; j < block; j++) seg.set(ValueLayout.JAVA_BYTE, b * block + j, (byte) rnd.nextInt());
                }
            }
            default -> throw new IllegalArgumentException("no random matrices of " + type);
        }
        return Tensors.wrap(type, new long[] {rows, cols}, seg);
    }
}
