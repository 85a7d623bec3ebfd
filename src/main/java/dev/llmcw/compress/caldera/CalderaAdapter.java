package dev.llmcw.compress.caldera;

import dev.llmcw.compress.quant.BlockQuantizer;
import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.compress.quant.QuantizerIO;

/**
 * The 16-bit part of a CALDERA matrix kept for low-rank adaptation ({@code ft_rank}): the leading
 * {@code ftRank} columns of L and rows of R (in LPLR/SVD order, the strongest components), stored as BF16
 * values instead of on the factor grid, so fine-tuning can move them freely.
 *
 * @param l rows×ftRank BF16 values (rotated, normalised domain like Q)
 * @param r ftRank×cols BF16 values
 */
public record CalderaAdapter(int ftRank, FloatQuantizer l, FloatQuantizer r) {
    public CalderaAdapter {
        if (l.cols() != ftRank || r.rows() != ftRank)
            throw new IllegalArgumentException("adapter factors are " + l.rows() + "×" + l.cols() + " and " + r.rows()
                    + "×" + r.cols() + ", not of rank " + ftRank);
    }

    /** The bits the two BF16 factors take. */
    public long storedBits() {
        return QuantizerIO.storedBits(l) + QuantizerIO.storedBits(r);
    }

    /**
     * Splits a decomposed matrix's factors at {@code ftRank}: the leading components become BF16 (starting
     * from the values the decomposition chose, as the official code does), the rest is fitted again on the
     * setting's factor grid (its own per-row scales), or null when nothing is left.
     */
    public static Split split(CalderaResult result, int ftRank, CalderaOptions options) {
        int m = result.rows(), n = result.cols(), k = result.options().rank();
        if (ftRank < 1 || ftRank > k)
            throw new IllegalArgumentException(result.name() + ": ft_rank " + ftRank + " outside 1.." + k);
        double[] l = result.l().data, r = result.r().data;
        float[] lTop = new float[m * ftRank], rTop = new float[ftRank * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ftRank; j++) lTop[i * ftRank + j] = FloatQuantizer.round(l[i * k + j], 16);
        for (int i = 0; i < ftRank * n; i++) rTop[i] = FloatQuantizer.round(r[i], 16);
        var adapter = new CalderaAdapter(
                ftRank, FloatQuantizer.of(m, ftRank, 16, lTop), FloatQuantizer.of(ftRank, n, 16, rTop));
        int rest = k - ftRank;
        if (rest == 0) return new Split(adapter, null, null);
        double[] lRest = new double[m * rest], rRest = new double[rest * n];
        for (int i = 0; i < m; i++) System.arraycopy(l, i * k + ftRank, lRest, i * rest, rest);
        System.arraycopy(r, ftRank * n, rRest, 0, rest * n);
        CalderaOptions o = options.withRank(rest);
        BlockQuantizer lq = Caldera.factorQuantizer(lRest, m, rest, o);
        lq.quantizeAll(lRest, m, rest);
        BlockQuantizer rq = Caldera.factorQuantizer(rRest, rest, n, o);
        rq.quantizeAll(rRest, rest, n);
        return new Split(adapter, lq, rq);
    }

    /** The adapter and the quantised remaining factors (null when the whole rank is adapted). */
    public record Split(CalderaAdapter adapter, BlockQuantizer lRest, BlockQuantizer rRest) {}
}
