package dev.llmcw.compress.seedlm;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The paper's way of choosing (C, P, K): reconstruction error of i.i.d. N(0,1) blocks versus bits per weight.
 * Error is the normalised MSE Σ‖w − ŵ‖² / Σ‖w‖² over the same blocks for every setting (fixed RNG seed).
 */
public final class SeedLmSweep {
    public record Point(
            int c, int p, int k, String rule, double bitsPerWeight, int blocks, double nmse, double seconds) {}

    /**
     * The settings to try: every (C, P, K) from the lists with P ≤ C and P ≤ 7, at most {@code maxBits}
     * bits per weight.
     */
    public record Grid(List<Integer> cs, List<Integer> ps, List<Integer> ks, ExponentRule rule, double maxBits) {
        /** The settings in sweep order: K outermost, then C, then P. */
        List<SeedLmConfig> configs() {
            List<SeedLmConfig> grid = new ArrayList<>();
            for (int k : ks)
                for (int c : cs)
                    for (int p : ps) {
                        if (p > c || p > 7) continue;
                        var cfg = new SeedLmConfig(c, p, k, rule, false);
                        if (cfg.bitsPerWeight() <= maxBits + 1e-9) grid.add(cfg);
                    }
            return grid;
        }
    }

    private SeedLmSweep() {}

    public static List<Point> run(
            Grid settings, int blocks, long rngSeed, ProgressListener progress, CancellationToken cancel) {
        ExponentRule rule = settings.rule();
        List<SeedLmConfig> grid = settings.configs();
        List<Point> out = new ArrayList<>();
        int i = 0;
        for (SeedLmConfig cfg : grid) {
            if (cancel != null) cancel.throwIfCancelled();
            progress.update("SeedLM sweep", i++, grid.size(), cfg.toString());
            Random r = new Random(rngSeed);
            float[] w = new float[blocks * cfg.c()];
            for (int j = 0; j < w.length; j++) w[j] = (float) r.nextGaussian();
            long t0 = System.nanoTime();
            SeedSearch s = new SeedSearch(cfg);
            double[] err =
                    s.search(w, blocks, new int[blocks], new byte[blocks], new byte[blocks * cfg.p()], cancel, null);
            double num = 0, den = 0;
            for (double e : err) num += e;
            for (float v : w) den += (double) v * v;
            out.add(new Point(
                    cfg.c(),
                    cfg.p(),
                    cfg.k(),
                    rule.id(),
                    cfg.bitsPerWeight(),
                    blocks,
                    num / den,
                    (System.nanoTime() - t0) / 1e9));
        }
        progress.update("SeedLM sweep", grid.size(), grid.size(), "done");
        return out;
    }
}
