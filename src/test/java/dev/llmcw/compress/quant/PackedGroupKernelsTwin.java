package dev.llmcw.compress.quant;

/**
 * {@link PackedGroupKernels} restated in scalar Java, one lane at a time: the same fused multiply-adds and
 * plain adds in the same order, so the vector kernels must match it bit for bit.
 */
final class PackedGroupKernelsTwin {
    private PackedGroupKernelsTwin() {}

    static void forward(PackedGroupCodes p, float[] x, int xOff, float[] y, int yOff, int batch) {
        int rows = p.rows(), cols = p.cols(), gs = p.groupSize(), groups = p.groups(), lanes = 8;
        for (int t = 0; t < batch; t++) {
            int xo = xOff + t * cols;
            float[] laneSums = new float[groups * lanes], tailSums = new float[groups];
            for (int g = 0; g < groups; g++) {
                int c0 = g * gs, c1 = Math.min(cols, c0 + gs), full = c0 + (c1 - c0) / lanes * lanes;
                for (int c = c0; c < full; c++) laneSums[g * lanes + (c - c0) % lanes] += x[xo + c];
                for (int c = full; c < c1; c++) tailSums[g] += x[xo + c];
            }
            for (int r = 0; r < rows; r++) {
                float[] acc = new float[lanes];
                float tailAcc = 0;
                for (int g = 0; g < groups; g++) {
                    int c0 = g * gs, c1 = Math.min(cols, c0 + gs), full = c0 + (c1 - c0) / lanes * lanes;
                    int gi = r * groups + g;
                    float scale = p.scale(gi), negZero = -p.zero(gi);
                    float[] s = new float[lanes];
                    for (int c = c0; c < full; c++) {
                        int j = (c - c0) % lanes;
                        s[j] = Math.fma(code(p, r, c), x[xo + c], s[j]);
                    }
                    for (int j = 0; j < lanes; j++)
                        acc[j] = Math.fma(Math.fma(laneSums[g * lanes + j], negZero, s[j]), scale, acc[j]);
                    if (full < c1) {
                        float ts = 0;
                        for (int c = full; c < c1; c++) ts = Math.fma(code(p, r, c), x[xo + c], ts);
                        tailAcc = Math.fma(Math.fma(tailSums[g], negZero, ts), scale, tailAcc);
                    }
                }
                float lanesSum = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
                y[yOff + t * rows + r] = lanesSum + tailAcc;
            }
        }
    }

    private static float code(PackedGroupCodes p, int r, int c) {
        return PackedGroupCodes.field(p.codes(), ((long) r * p.cols() + c) * p.bits(), p.bits());
    }
}
