package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Half;
import dev.llmcw.util.ModelLoadException;

/**
 * The randomized-Hadamard sign vectors of one CALDERA matrix relaxed to real-valued scales and stored, as
 * QuIP#/CALDERA's SU (input side, length stored cols) and SV (output side, length rows): the layer computes
 * y = g · diag(SV)·(H⊗B)ᵀ·(Q + L·R)·(H⊗B)·diag(SU)·x, where the seeded transform has the signs d in place of
 * SU/SV. Files without {@code N.caldera.SU}/{@code N.caldera.SV} regenerate the signs from the seed as before.
 * Stored as F16 tensors: 16 bits per element, counted in bits/weight.
 *
 * @param su input-side scales (length stored cols)
 * @param sv output-side scales (length rows)
 */
public record HadamardScales(float[] su, float[] sv) {
    public static final String SU = "SU", SV = "SV";

    /** The stored scales of matrix {@code name}, or null when the file regenerates the signs from the seed. */
    public static HadamardScales read(SafetensorsFile f, String name, CalderaFormat.Stored s) {
        String p = name + ".caldera.";
        boolean hasU = f.has(p + SU), hasV = f.has(p + SV);
        if (!hasU && !hasV) return null;
        if (hasU != hasV) throw new ModelLoadException(f.path(), p + "SU and " + p + "SV must be stored together");
        if (!s.hadamard())
            throw new ModelLoadException(f.path(), p + "SU/SV stored for a matrix compressed without Hadamard");
        float[] su = f.tensor(p + SU).toFloatArray(), sv = f.tensor(p + SV).toFloatArray();
        if (su.length != s.cols() || sv.length != s.rows())
            throw new ModelLoadException(
                    f.path(),
                    p + "SU/SV have " + su.length + "/" + sv.length + " values, the matrix needs " + s.cols() + "/"
                            + s.rows());
        return new HadamardScales(su, sv);
    }

    /** The seeded signs themselves (the starting point of fine-tuning: the layer computes exactly as before). */
    public static HadamardScales signsOf(RandomizedHadamard tm, RandomizedHadamard tn) {
        return new HadamardScales(toFloats(tn.signs()), toFloats(tm.signs()));
    }

    /** Stored bits: 16 per element. */
    public long storedBits() {
        return 16L * (su.length + sv.length);
    }

    /** A value rounded to F16, as stored. */
    public static float roundToHalf(float v) {
        return Half.f16ToFloat(Half.floatToF16(v));
    }

    /**
     * The factors that turn the seeded transform into the stored one: {@code scale ⊙ signs} (signs are ±1, so
     * multiplying the seeded transform's input by it replaces d by the scale).
     */
    static float[] relativeTo(float[] scale, double[] signs) {
        float[] r = new float[scale.length];
        for (int i = 0; i < r.length; i++) r[i] = (float) (scale[i] * signs[i]);
        return r;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
