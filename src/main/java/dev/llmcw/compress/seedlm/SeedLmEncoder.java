package dev.llmcw.compress.seedlm;

import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.concurrent.atomic.AtomicLong;

/** Compresses one weight matrix: blocks it, runs the seed search on all cores, reports blocks/s and ETA. */
public final class SeedLmEncoder {
    private final SeedLmConfig cfg;
    private final SeedSearch search;

    public SeedLmEncoder(SeedLmConfig cfg) {
        this.cfg = cfg;
        this.search = new SeedSearch(cfg);
    }

    public SeedLmConfig config() {
        return cfg;
    }

    public SeedLmTensor encode(String name, Tensor w, ProgressListener progress, CancellationToken cancel) {
        if (w.rank() != 2) throw new IllegalArgumentException(name + ": SeedLM compresses 2-D weights, got " + w);
        return encode(name, w.rows(), w.cols(), w.toFloatArray(), progress, cancel);
    }

    public SeedLmTensor encode(
            String name, int rows, int cols, float[] values, ProgressListener progress, CancellationToken cancel) {
        int c = cfg.c(), bpr = SeedLmTensor.blocksPerRow(cols, cfg), nb = (int) SeedLmTensor.blocks(rows, cols, cfg);
        float scale = 1f;
        if (cfg.perTensorScale()) {
            float max = 0;
            for (float v : values) max = Math.max(max, Math.abs(v));
            // Deviation from the paper (documented in SeedLmConfig): one FP16 scale per tensor, max |w| rounded to
            // FP16.
            float s = Half.f16ToFloat(Half.floatToF16(max));
            scale = s > 0 && Float.isFinite(s) ? s : 1f;
        }
        float[] blocks = new float[nb * c];
        if (cfg.flat()) { // consecutive weights of the flattened tensor, the last block zero-padded
            for (int i = 0; i < rows * cols; i++) blocks[i] = values[i] / scale;
        } else {
            for (int o = 0; o < rows; o++) {
                for (int j = 0; j < cols; j++) blocks[(o * bpr + j / c) * c + j % c] = values[o * cols + j] / scale;
            }
        }
        int[] seeds = new int[nb];
        byte[] exps = new byte[nb], codes = new byte[nb * cfg.p()];
        String stage = "seed search " + name;
        AtomicLong done = new AtomicLong();
        long t0 = System.nanoTime();
        progress.update(stage, 0, nb, "");
        search.search(blocks, nb, seeds, exps, codes, cancel, n -> {
            long d = done.addAndGet(n);
            double sec = (System.nanoTime() - t0) / 1e9, rate = d / Math.max(sec, 1e-9);
            progress.update(stage, d, nb, String.format("%,.0f blocks/s, ETA %.0f s", rate, (nb - d) / rate));
        });
        return new SeedLmTensor(rows, cols, cfg, seeds, exps, codes, scale);
    }

    /** ‖W − Ŵ‖ / ‖W‖. */
    public static double relativeError(float[] w, float[] wHat) {
        double num = 0, den = 0;
        for (int i = 0; i < w.length; i++) {
            double d = w[i] - wHat[i];
            num += d * d;
            den += (double) w[i] * w[i];
        }
        return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(num / den);
    }
}
