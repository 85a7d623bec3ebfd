package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.tensor.Linear;

/**
 * A CALDERA layer whose file stores its Hadamard sign vectors as scales SU/SV ({@link HadamardScales}): the
 * layer built with the seeded transforms, run on (SU ⊙ d_n) ⊙ x and its output multiplied by SV ⊙ d_m. Since
 * the signs d are ±1 this is exactly the layer with diag(SU)/diag(SV) in place of diag(d_n)/diag(d_m), and it
 * works the same around the on-the-fly and the dense (decoded) layer. The 16-bit scales are counted in
 * {@link #storageBytes()}.
 */
final class ScaledHadamardLinear implements Linear {
    private final Linear seeded;
    private final float[] in, out; // SU ⊙ d_n (first inFeatures), SV ⊙ d_m
    private final long scaleBytes;

    ScaledHadamardLinear(Linear seeded, HadamardScales s, RandomizedHadamard tm, RandomizedHadamard tn) {
        this.seeded = seeded;
        this.in = HadamardScales.relativeTo(s.su(), tn.signs());
        this.out = HadamardScales.relativeTo(s.sv(), tm.signs());
        this.scaleBytes = s.storedBits() / 8;
    }

    @Override
    public int inFeatures() {
        return seeded.inFeatures();
    }

    @Override
    public int outFeatures() {
        return seeded.outFeatures();
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        int n = inFeatures(), m = outFeatures();
        float[] xs = new float[batch * n];
        for (int b = 0; b < batch; b++) for (int c = 0; c < n; c++) xs[b * n + c] = x[xOff + b * n + c] * in[c];
        seeded.forward(xs, 0, y, yOff, batch);
        for (int b = 0; b < batch; b++) for (int i = 0; i < m; i++) y[yOff + b * m + i] *= out[i];
    }

    @Override
    public long storageBytes() {
        return seeded.storageBytes() + scaleBytes;
    }

    @Override
    public String kind() {
        return seeded.kind() + " + SU/SV";
    }
}
