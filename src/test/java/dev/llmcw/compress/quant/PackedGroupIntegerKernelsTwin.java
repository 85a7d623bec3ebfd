package dev.llmcw.compress.quant;

import dev.llmcw.tensor.Q8Activations;

/**
 * {@link PackedGroupIntegerKernels} restated in scalar Java: column 4k .. 4k + 3 of a block goes to int lane k
 * (exact integer sums, in any order), then the same float operations in the same order (one fused
 * multiply-add per block and lane with s·d_x rounded first, the lanes added in the fixed tree), so the vector
 * kernel must match it bit for bit.
 */
final class PackedGroupIntegerKernelsTwin {
    private PackedGroupIntegerKernelsTwin() {}

    static void forward(PackedGroupCodes p, float[] x, int xOff, float[] y, int yOff, int batch) {
        int rows = p.rows(), cols = p.cols(), groups = p.groups(), block = Q8Activations.BLOCK;
        int blocks = cols / block, perGroup = p.groupSize() / block;
        Q8Activations a = Q8Activations.quantize(x, xOff, cols, batch);
        for (int t = 0; t < batch; t++)
            for (int r = 0; r < rows; r++) {
                float[] acc = new float[8];
                for (int b = 0; b < blocks; b++) {
                    int gi = r * groups + b / perGroup, z = p.zero(gi);
                    int[] isum = new int[8];
                    for (int e = 0; e < block; e++) {
                        int c = b * block + e;
                        int q = PackedGroupCodes.field(p.codes(), ((long) r * cols + c) * p.bits(), p.bits());
                        isum[e / 4] += (q - z) * a.code(t, c);
                    }
                    float scale = p.scale(gi) * a.scale(t, b);
                    for (int j = 0; j < 8; j++) acc[j] = Math.fma((float) isum[j], scale, acc[j]);
                }
                y[yOff + t * rows + r] =
                        ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
            }
    }
}
