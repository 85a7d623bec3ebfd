package dev.llmcw.tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place the tensor kernels take their vector species from, and the fixed-order lane reductions
 * they share. The float species is chosen once per JVM by the system property {@code workbench.vector.bits}
 * (128, 256 or 512; default: the platform's preferred species). It is a static final on purpose: the
 * Vector API only compiles to SIMD instructions when the species is a compile-time constant, so a
 * species passed around as a value would silently fall back to slow Java code. Tests check the other
 * widths by running the kernels in child JVMs with the property set.
 */
public final class KernelSpecies {
    private KernelSpecies() {}

    /**
     * The float species. Kernels read it from a static final (their own copy of this one, or this), never
     * from a local: in an on-stack-replacement compilation a local's value comes from the interpreter frame,
     * is not a compile-time constant, and the Vector API then runs its Java fallback (measured: most of
     * stories260K's attention time).
     */
    public static final VectorSpecies<Float> F = floatSpecies();
    /** Shorts with as many lanes as {@link #F} (half its width; 64-bit minimum shape for 128-bit floats). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Ints of {@link #F}'s width (SeedLM's LFSR states, bit tests on float patterns). */
    public static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Doubles of {@link #F}'s width (the compression methods' float64 linear algebra). */
    public static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    /** Shorts of {@link #F}'s width (twice its lanes: F16/BF16 bit patterns scanned in bulk). */
    public static final VectorSpecies<Short> WIDE_S = VectorSpecies.of(short.class, F.vectorShape());
    /** 16 bytes: one Q4_0 block body, or half a Q8_0 block. */
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;

    static final int L = F.length();
    /** Floats produced per 16-byte load, split into {@code PARTS} float vectors. */
    static final int PARTS = 16 / L;

    static final ValueLayout.OfFloat F32LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    // Lane i takes lane i+w (wrapping): the steps of a fixed pairwise reduction tree.
    static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(F, 1, 1, true);
    static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(F, 2, 1, true);
    static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(F, Math.min(4, L - 1), 1, true);
    static final VectorShuffle<Float> ROT8 = VectorShuffle.iota(F, Math.min(8, L - 1), 1, true);

    /**
     * Sum of the lanes in a fixed pairwise order. reduceLanes(ADD) leaves the order open, and the
     * JIT-compiled intrinsic and the interpreter's fallback really do add in different orders, so the
     * same input could give different last bits before and after compilation; inference must be
     * reproducible bit for bit (evaluation caches, calibration compares runs exactly).
     */
    static float sum(FloatVector v) {
        if (L >= 16) v = v.add(v.rearrange(ROT8));
        if (L >= 8) v = v.add(v.rearrange(ROT4));
        v = v.add(v.rearrange(ROT2));
        v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    /** Lane-wise max of v and v rotated by rot: one step of {@link VectorKernels#max}'s fixed reduction tree. */
    static FloatVector maxLanes(FloatVector v, VectorShuffle<Float> rot) {
        FloatVector r = v.rearrange(rot);
        return v.blend(r, v.lt(r));
    }

    private static VectorSpecies<Float> floatSpecies() {
        String p = System.getProperty("workbench.vector.bits");
        if (p == null || p.isBlank()) return FloatVector.SPECIES_PREFERRED;
        int bits = Integer.parseInt(p.trim());
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("workbench.vector.bits must be 128, 256 or 512, got " + p);
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** Bits of the float species in use. */
    public static int vectorBits() {
        return F.vectorBitSize();
    }
}
