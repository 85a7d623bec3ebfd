package dev.llmcw.compress.quant;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The optional randomised Hadamard rotation of RTN and GPTQ, the incoherence step CALDERA uses
 * (algorithms.md §2): W̃ = T_m·W·T_nᵀ is quantised and stored; the layer computes y = T_mᵀ·Ŵ̃·(T_n·x).
 * The transforms are regenerated from a seed stored with the tensor as {@code <prefix>.hadamard} I32[2]
 * (low, high word), so they cost no bits per weight. For GPTQ the statistics rotate with the inputs:
 * H̃ = T_n·H·T_nᵀ.
 */
public record WeightRotation(RandomizedHadamard out, RandomizedHadamard in, long seed) {
    /** CALDERA's default seed (0x5eed). */
    public static final long DEFAULT_SEED = 0x5eed;

    public static WeightRotation of(long seed, int rows, int cols) {
        return new WeightRotation(RandomizedHadamard.seeded(seed, rows), RandomizedHadamard.seeded(seed, cols), seed);
    }

    /** W ← T_m·W·T_nᵀ in place (row-major rows × cols). */
    public void rotate(double[] w) {
        RandomizedHadamard.rotateWeight(DMatrixRMaj.wrap(out.size(), in.size(), w), out, in);
    }

    /** W ← T_mᵀ·W·T_n in place: back to the original domain. */
    public void unrotate(double[] w) {
        RandomizedHadamard.unrotateWeight(DMatrixRMaj.wrap(out.size(), in.size(), w), out, in);
    }

    /** T_n·H·T_nᵀ (a new matrix). */
    public DMatrixRMaj rotateInputs(DMatrixRMaj h) {
        DMatrixRMaj r = h.copy();
        in.applyToRows(r); // H·T_nᵀ
        DMatrixRMaj t = new DMatrixRMaj(r.numCols, r.numRows);
        CommonOps_DDRM.transpose(r, t);
        in.applyToRows(t); // (H·T_nᵀ)ᵀ·T_nᵀ = T_n·H·T_nᵀ for symmetric H
        return t;
    }

    public void write(SafetensorsWriter w, String prefix) {
        w.addInts(prefix + ".hadamard", new long[] {2}, new int[] {(int) seed, (int) (seed >>> 32)});
    }

    /** The rotation stored under {@code prefix}, or null when the tensor was stored unrotated. */
    public static WeightRotation read(SafetensorsFile f, String prefix, int rows, int cols) {
        if (!f.has(prefix + ".hadamard")) return null;
        int[] s = f.ints(prefix + ".hadamard");
        if (s.length != 2)
            throw new IllegalArgumentException(prefix + ".hadamard must hold 2 ints (the seed), not " + s.length);
        return of((s[0] & 0xFFFFFFFFL) | (long) s[1] << 32, rows, cols);
    }
}
