package dev.llmcw.model;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.ModelLoadException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Refuses weights that hold NaN or ±Infinity. One such value turns every logit it reaches into NaN, and
 * an evaluation then reports "perplexity: NaN" or chance accuracy with exit code 0; checking at load costs
 * one pass over the mapped bytes at memory bandwidth. The test is on bit patterns (all exponent bits set),
 * so no value is converted: per vector the absolute bit pattern is max-reduced, and only a chunk whose
 * maximum reaches the non-finite range is scanned again to find the first bad index. Quantised blocks
 * (Q8_0, Q4_0, the K-quants, ...) are checked through their f16 fields ({@link DType#halfOffsets()}:
 * scales, mins, super-block scales), the only floats they hold.
 *
 * <p>{@code -Dworkbench.checkWeights=false} skips the check (for timing the loaders only).
 */
public final class FiniteWeights {
    private static final VectorSpecies<Integer> INTS = KernelSpecies.I;
    private static final VectorSpecies<Short> SHORTS = KernelSpecies.WIDE_S;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Values per chunk between two reductions: small enough that a re-scan is cheap, large enough to amortise. */
    private static final int CHUNK = 4096;

    private static final int F32_INF = 0x7F80_0000, F16_INF = 0x7C00, BF16_INF = 0x7F80;

    private FiniteWeights() {}

    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("workbench.checkWeights"));
    }

    /** Refuses {@code t} if it holds a non-finite value, naming {@code file}, the tensor and the first bad index. */
    public static void check(Path file, String name, Tensor t) {
        check(file, name, t.dtype(), t.segment());
    }

    /** The same for raw tensor bytes of {@code type} (e.g. the F16 scales of a compressed file). */
    public static void check(Path file, String name, DType type, MemorySegment seg) {
        if (!enabled()) return;
        long i = firstNonFinite(type, seg);
        if (i < 0) return;
        String where = type.blockSize() > 1 ? " (the scale of block " + i / type.blockSize() + ")" : "";
        throw new ModelLoadException(
                file,
                "tensor " + name + " holds " + valueAt(type, seg, i) + " at index " + i + where
                        + ": the weights are corrupt (NaN or infinite values cannot be evaluated)");
    }

    /**
     * Index of the first value of a tensor stored as {@code type} in {@code seg} that is NaN or infinite,
     * or -1; for a block type, the index of the first value of the first block whose scale is not finite.
     */
    public static long firstNonFinite(DType type, MemorySegment seg) {
        return switch (type) {
            case F32 -> firstF32(seg);
            case F16 -> firstHalf(seg, F16_INF);
            case BF16 -> firstHalf(seg, BF16_INF);
            default -> firstBlockScale(seg, type);
        };
    }

    private static long firstF32(MemorySegment seg) {
        long n = seg.byteSize() / 4;
        long step = INTS.length();
        for (long start = 0; start < n; start += CHUNK) {
            long end = Math.min(n, start + CHUNK);
            long i = start;
            var max = IntVector.zero(INTS);
            for (; i + step <= end; i += step) {
                max = max.max(IntVector.fromMemorySegment(INTS, seg, 4 * i, ByteOrder.LITTLE_ENDIAN)
                        .and(0x7FFF_FFFF));
            }
            int m = max.reduceLanes(VectorOperators.MAX);
            for (; i < end; i++) m = Math.max(m, seg.get(I32, 4 * i) & 0x7FFF_FFFF);
            if (m >= F32_INF) {
                for (long j = start; j < end; j++) if ((seg.get(I32, 4 * j) & F32_INF) == F32_INF) return j;
            }
        }
        return -1;
    }

    /** F16 and BF16: sign cleared, a 16-bit pattern at or above the exponent mask is infinite or NaN. */
    private static long firstHalf(MemorySegment seg, int inf) {
        long n = seg.byteSize() / 2;
        long step = SHORTS.length();
        for (long start = 0; start < n; start += CHUNK) {
            long end = Math.min(n, start + CHUNK);
            long i = start;
            var max = ShortVector.zero(SHORTS);
            for (; i + step <= end; i += step) {
                max = max.max(ShortVector.fromMemorySegment(SHORTS, seg, 2 * i, ByteOrder.LITTLE_ENDIAN)
                        .and((short) 0x7FFF));
            }
            int m = max.reduceLanes(VectorOperators.MAX);
            for (; i < end; i++) m = Math.max(m, seg.get(I16, 2 * i) & 0x7FFF);
            if (m >= inf) {
                for (long j = start; j < end; j++) if ((seg.get(I16, 2 * j) & inf) == inf) return j;
            }
        }
        return -1;
    }

    /** Block types: only the f16 fields can be non-finite; the codes are integers. */
    private static long firstBlockScale(MemorySegment seg, DType type) {
        long blocks = seg.byteSize() / type.blockBytes();
        int[] halves = type.halfOffsets();
        for (long b = 0; b < blocks; b++) {
            for (int off : halves) {
                short h = seg.get(I16, b * type.blockBytes() + off);
                if ((h & F16_INF) == F16_INF) return b * type.blockSize();
            }
        }
        return -1;
    }

    /** The first non-finite f16 field of the block holding {@code index}, for messages. */
    private static float blockHalf(MemorySegment seg, DType type, long index) {
        long base = index / type.blockSize() * type.blockBytes();
        int[] halves = type.halfOffsets();
        for (int off : halves) {
            float v = Half.f16ToFloat(seg.get(I16, base + off));
            if (!Float.isFinite(v)) return v;
        }
        return Half.f16ToFloat(seg.get(I16, base + halves[0]));
    }

    /** The value at {@code index} as stored, for messages (a block type reports its scale). */
    static float valueAt(DType type, MemorySegment seg, long index) {
        return switch (type) {
            case F32 -> Float.intBitsToFloat(seg.get(I32, 4 * index));
            case F16 -> Half.f16ToFloat(seg.get(I16, 2 * index));
            case BF16 -> Half.bf16ToFloat(seg.get(I16, 2 * index));
            default -> blockHalf(seg, type, index);
        };
    }
}
