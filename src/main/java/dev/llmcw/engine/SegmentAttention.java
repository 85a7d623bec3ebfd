package dev.llmcw.engine;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.VectorExp;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention over transposed keys, a vector of keys at a time: packed scoring ({@link Segments}) and the
 * prompts of small heads.
 */
final class SegmentAttention {
    private SegmentAttention() {}

    /** The float species, read from this constant (see {@link KernelSpecies#F}). */
    private static final VectorSpecies<Float> F = KernelSpecies.F;
    /** Its lanes, a constant: loads indexed by a loop counter times a constant lose their bounds checks in C2. */
    private static final int L = F.length();

    /**
     * Softmax attention of the chunk's rows from.. as {@link Segments} say, for any head size; used for packed
     * scoring and every prompt (chunks of 4 rows or more; decode steps take {@link CausalAttention}). For heads of
     * 64 it is 3-4x faster than scores by a tiled product of query and key rows, which needs 8 lane sums per
     * 2 x 4 tile of 64-long dot products and a load and store of the output per key (SmolLM2-135M shape, 128 and
     * 512 positions, 2026-12-08); prompts of every head size therefore come here. Per KV head the keys a segment sees (its prefix, then
     * its own rows) are held transposed and contiguous in one zero-padded buffer, so a query's scores are
     * computed a vector of keys at a time in one pass (the head dimension is the short inner loop, which a
     * per-key dot product of 8 floats would waste). Queries go {@link #QUERY_BATCH} at a time (see
     * {@link #attendBatch}); the mathematics is that of {@link CausalAttention}'s softmax, with base-2 exponentials
     * and the normalisation applied to the output.
     */
    static void attend(ModelConfig c, AttentionBuffers io, int n, int from, int start, Segments seg) {
        final int hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim(), group = c.nHeads() / c.nKvHeads();
        // scores go to base-2 exponentials: the scale 1/√hd and log2(e) folded into one multiply-add
        final float scale2 = (float) (LOG2_E / Math.sqrt(hd));
        final int lanes = KernelSpecies.F.length();
        int widest = 0;
        for (int g = 0; g < seg.count(); g++)
            widest = Math.max(widest, seg.prefixEnd[g] + seg.rowStart[g + 1] - seg.rowStart[g]);
        final int maxCols = (widest + lanes - 1) / lanes * lanes;
        final int slots = start + n,
                stride = (slots + lanes - 1) / lanes * lanes + 2 * lanes; // zero padding for whole-vector reads
        Parallel.forRange(0, c.nKvHeads(), 1, kh -> {
            // the head's buffers (HeadBuffers): kt[d * stride + j], column j < pre is cache slot j, the segment's own
            // rows follow its prefix.
            // Columns [0, identity) hold slots [0, identity): a prefix shared by consecutive segments (a context
            // and its continuations) is copied once, and each segment's own rows overwrite the previous one's
            // (copying every segment's prefix again cost ~7 % of stories260K's scoring; two score passes,
            // prefix and own rows apart, wasted a partial vector pair each)
            int identity = 0;
            HeadBuffers hb = new HeadBuffers(io, hd, kvDim, kh * hd, stride, maxCols + 2 * lanes, scale2);
            int[] qo = hb.qo, len = hb.len;
            for (int g = 0; g < seg.count(); g++) {
                int r0 = seg.rowStart[g],
                        r1 = seg.rowStart[g + 1],
                        pre = seg.prefixEnd[g],
                        own = r1 - r0,
                        ownSlot = start + r0;
                if (identity < pre) {
                    copyColumns(hb, identity, identity, pre - identity);
                    identity = pre;
                }
                if (ownSlot != pre) {
                    copyColumns(hb, ownSlot, pre, own);
                    identity = pre;
                } else if (identity < pre + own) {
                    copyColumns(hb, identity, identity, pre + own - identity);
                    identity = pre + own;
                }
                // the segment's queries in (row, head) order, QUERY_BATCH at a time: they share keys and values;
                // a short last batch repeats its last query (same output written twice), ~1 % more work
                // than a one-query path of its own and a third of the code
                // (row t, head kh·group + h) of the next query, counted forward: a division per query (the
                // group size is not a constant) was ~1 % of stories260K's scoring
                // rows before `from` are not wanted (see LlamaEngine.layer): their keys were copied above all the same
                int t = Math.max(r0, from), queries = (r1 - t) * group, h = 0;
                for (int qi = 0; qi < queries; qi += QUERY_BATCH) {
                    for (int i = 0; i < QUERY_BATCH; i++) {
                        qo[i] = t * qDim + (kh * group + h) * hd;
                        len[i] = pre + (t - r0) + 1;
                        if (qi + i + 1 < queries && ++h == group) {
                            h = 0;
                            t++;
                        }
                    }
                    attendBatch(hb, pre, ownSlot);
                }
            }
        });
    }

    /**
     * Columns toCol.. of the head's key and value buffers from cache slots fromSlot.. (count of them):
     * kt[d·stride + col] = key dimension d, vt[c·vPlane + col·lanes + l] = value dimension c·lanes + l
     * (whole vectors of dimensions only; {@link #weightedValues} reads a remainder from the cache).
     */
    private static void copyColumns(HeadBuffers hb, int fromSlot, int toCol, int count) {
        float[] kc = hb.kc, vc = hb.vc, kt = hb.kt, vt = hb.vt;
        int kvDim = hb.kvDim, kvOff = hb.kvOff, hd = hb.hd, stride = hb.stride, vPlane = hb.vPlane;
        int lanes = F.length();
        for (int i = 0; i < count; i++) {
            int ko = (fromSlot + i) * kvDim + kvOff, col = toCol + i;
            for (int d = 0; d < hd; d++) kt[d * stride + col] = kc[ko + d];
            for (int c = 0; c + lanes <= hd; c += lanes)
                FloatVector.fromArray(F, vc, ko + c).intoArray(vt, c / lanes * vPlane + col * lanes);
        }
    }

    /** log2(e): the packed attention's exponentials are base 2 (see {@link #softmaxWeights}). */
    private static final double LOG2_E = 1.4426950408889634;

    /** Keys summed from zero before joining the running total in {@link #weightedValues} (even: pairs of keys). */
    private static final int KEY_BLOCK = 64;

    /** Queries attended together by {@link #attendBatch} (its score loop, VectorKernels.max4 and the paired exponentials are written for four). */
    private static final int QUERY_BATCH = 4;

    /**
     * {@link #QUERY_BATCH} queries of one segment (lengths ascending, the last the longest): scores against
     * the transposed keys kt (columns 0..len, see {@link #attend}), softmax weights, weighted values.
     * Each key vector and each value row is loaded once for all of them. Scores go to rows of s (stride
     * sStride); a query's weights past its own length are zero, so all are summed over the longest length.
     */
    private static void attendBatch(HeadBuffers hb, int pre, int ownSlot0) {
        // the buffers into locals first: C2 then treats them as it did when they were arguments
        float[] kt = hb.kt, q = hb.q, s = hb.s, laneSums = hb.laneSums, inv = hb.inv;
        double[] sums = hb.sums;
        int[] qo = hb.qo, len = hb.len;
        int stride = hb.stride, hd = hb.hd, sStride = hb.sStride;
        float scale2 = hb.scale2;
        int lenMax = len[QUERY_BATCH - 1];
        int lanes = F.length(), q0 = qo[0], q1 = qo[1], q2 = qo[2], q3 = qo[3];
        // two vectors of keys × four queries (8 accumulators, each query value broadcast once for both):
        // 1.4–1.7× one vector of keys at a time in a microbenchmark; whole vectors are written, up to
        // lanes − 1 past lenMax (the buffers are padded for it)
        int i = 0;
        for (; i + lanes < lenMax; i += 2 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int d = 0, ko = i; d < hd; d++, ko += stride) {
                FloatVector k = FloatVector.fromArray(F, kt, ko), l = FloatVector.fromArray(F, kt, ko + lanes);
                FloatVector x = FloatVector.broadcast(F, q[q0 + d]);
                a0 = k.fma(x, a0);
                b0 = l.fma(x, b0);
                x = FloatVector.broadcast(F, q[q1 + d]);
                a1 = k.fma(x, a1);
                b1 = l.fma(x, b1);
                x = FloatVector.broadcast(F, q[q2 + d]);
                a2 = k.fma(x, a2);
                b2 = l.fma(x, b2);
                x = FloatVector.broadcast(F, q[q3 + d]);
                a3 = k.fma(x, a3);
                b3 = l.fma(x, b3);
            }
            a0.intoArray(s, i);
            b0.intoArray(s, i + lanes);
            a1.intoArray(s, sStride + i);
            b1.intoArray(s, sStride + i + lanes);
            a2.intoArray(s, 2 * sStride + i);
            b2.intoArray(s, 2 * sStride + i + lanes);
            a3.intoArray(s, 3 * sStride + i);
            b3.intoArray(s, 3 * sStride + i + lanes);
        }
        if (i < lenMax) {
            // at most one vector of keys left: one vector, not a pair (the pair wasted ~10 % of the scores)
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0, ko = i; d < hd; d++, ko += stride) {
                FloatVector k = FloatVector.fromArray(F, kt, ko);
                a0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
            }
            a0.intoArray(s, i);
            a1.intoArray(s, sStride + i);
            a2.intoArray(s, 2 * sStride + i);
            a3.intoArray(s, 3 * sStride + i);
        }
        softmaxWeights(s, sStride, len, scale2, laneSums, inv, sums);
        weightedValues(hb, lenMax, pre, ownSlot0);
    }

    /**
     * Unnormalised softmax weights of the four queries in place: row b's raw scores s[b·sStride ..+len[b])
     * become 2^((s - max_b)·scale2) with scale2 = log2(e)/√hd, i.e. e^((s - max_b)/√hd), and the row is 0
     * from len[b] to the longest length rounded up to whole vectors; inv[b] = 1/Σ. The weighted values are
     * multiplied by inv once per output instead of once per weight (a pass over the weights fewer: ~10 %
     * of attention). The exponentials and their sums come from {@link VectorExp#exp2RowsSummed} (within 2
     * ulp, two rows at a time), the argument one multiply-add of the raw score: the base-2 form saves six of
     * the natural exponential's vector operations, and the exponential loop was ~40 % of attention.
     *
     * <p>JIT notes, measured with JFR on JDK 25 (AVX2): no FloatVector may be passed to or returned from a
     * call C2 does not inline — it is then boxed and its operations run as the Vector API's Java fallback
     * (four exponential calls in one loop body stopped C2 inlining them; a helper taking the max vector was
     * not inlined either); the maxima and sums are therefore finished inside {@link VectorKernels#max4} and
     * {@link VectorExp#exp2RowsSummed}. An earlier version of this method lost ~40 % of stories260K's PIQA
     * time to such fallbacks.
     */
    private static void softmaxWeights(
            float[] s, int sStride, int[] len, float scale2, float[] laneSums, float[] inv, double[] sums) {
        int lanes = F.length(), end = (len[QUERY_BATCH - 1] + lanes - 1) / lanes * lanes;
        padRows(s, sStride, len, Float.NEGATIVE_INFINITY); // outside the max
        VectorKernels.max4(s, sStride, end, inv, laneSums);
        for (int b = 0; b < QUERY_BATCH; b++) inv[b] *= -scale2; // the shifts, until inv is the inverse sums below
        // two rows per call, their exponentials interleaved and summed in the same loop
        VectorExp.exp2RowsSummed(s, sStride, 0, end, scale2, inv, sums, laneSums);
        VectorExp.exp2RowsSummed(s, sStride, 2, end, scale2, inv, sums, laneSums);
        // the padding's weight is 0 exactly (2^-∞ comes out as 2^-126, which the sums above absorb: each is at
        // least 1, the maximum's own weight); a key more than 126 octaves below the largest keeps 2^-126 ≈ 1.2e-38
        // of weight instead of its own less-than-that
        padRows(s, sStride, len, 0f);
        for (int b = 0; b < QUERY_BATCH; b++) inv[b] = (float) (1.0 / sums[b]);
    }

    /** Lane indices as floats, for {@link #padRows}' masks. */
    private static final float[] LANE_INDEX = laneIndex();

    private static float[] laneIndex() {
        float[] a = new float[F.length()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    /**
     * Row b of s from len[b] to the end of the next whole vector after the one holding len[b] set to
     * {@code value} (the longest row's padding spans at most that: lengths in a batch differ by less than a
     * vector), by a masked blend and a store: a scalar fill per row cost as much as the maxima, mostly in
     * mispredicted loop exits.
     */
    private static void padRows(float[] s, int sStride, int[] len, float value) {
        int lanes = F.length();
        FloatVector index = FloatVector.fromArray(F, LANE_INDEX, 0), fill = FloatVector.broadcast(F, value);
        for (int b = 0, o = 0; b < QUERY_BATCH; b++, o += sStride) {
            int p = len[b] / lanes * lanes;
            FloatVector v = FloatVector.fromArray(F, s, o + p);
            v.blend(fill, index.compare(VectorOperators.GE, (float) (len[b] - p)))
                    .intoArray(s, o + p);
            fill.intoArray(s, o + p + lanes);
        }
    }

    /**
     * out[qo[b]..+hd) = inv[b]·Σ_j w_b[j]·value j for the four queries b (weights in rows of s), keys j < pre
     * at cache slot j and the rest at ownSlot0 + (j - pre); each value row loaded once for the four queries,
     * keys in blocks of {@link #KEY_BLOCK}, two FMA chains per query within a block (even and odd keys). The decode path's {@link CausalAttention}'s softmax sums key by key:
     * results agree to float rounding.
     */
    private static void weightedValues(HeadBuffers hb, int len, int pre, int ownSlot0) {
        float[] s = hb.s, vt = hb.vt, vc = hb.vc, out = hb.out, inv = hb.inv;
        int[] qo = hb.qo;
        int sStride = hb.sStride, vPlane = hb.vPlane, kvDim = hb.kvDim, kvOff = hb.kvOff, hd = hb.hd;
        int lanes = F.length(), d0 = 0, split = Math.min(pre, len), ownBase = (ownSlot0 - pre) * kvDim + kvOff;
        int s1 = sStride, s2 = 2 * sStride, s3 = 3 * sStride;
        for (; d0 + lanes <= hd; d0 += lanes) {
            // Keys in blocks of KEY_BLOCK summed from zero, block sums added to a running total, and
            // within a block even and odd keys in separate chains per query (8 accumulators): float sums over
            // a few hundred keys are where most of the float32 error of long PIQA items came from (one chain
            // per query over all keys put the worst item 1.4e-4 off the float64 reference, two chains 8.7e-5).
            FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
            int plane = d0 / lanes * vPlane;
            for (int jb = 0; jb < len; ) {
                // a block lies within the prefix or within the own rows (the grouping of the sums, kept from
                // when the two were read from different places)
                int je = Math.min(jb < split ? split : len, jb + KEY_BLOCK), pairsEnd = jb + ((je - jb) & ~1), j;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (j = jb; j < pairsEnd; j += 2) {
                    FloatVector v = FloatVector.fromArray(F, vt, plane + j * L);
                    a0 = v.fma(FloatVector.broadcast(F, s[j]), a0);
                    a1 = v.fma(FloatVector.broadcast(F, s[s1 + j]), a1);
                    a2 = v.fma(FloatVector.broadcast(F, s[s2 + j]), a2);
                    a3 = v.fma(FloatVector.broadcast(F, s[s3 + j]), a3);
                    FloatVector w = FloatVector.fromArray(F, vt, plane + j * L + L);
                    b0 = w.fma(FloatVector.broadcast(F, s[j + 1]), b0);
                    b1 = w.fma(FloatVector.broadcast(F, s[s1 + j + 1]), b1);
                    b2 = w.fma(FloatVector.broadcast(F, s[s2 + j + 1]), b2);
                    b3 = w.fma(FloatVector.broadcast(F, s[s3 + j + 1]), b3);
                }
                if (j < je) {
                    FloatVector v = FloatVector.fromArray(F, vt, plane + j * L);
                    a0 = v.fma(FloatVector.broadcast(F, s[j]), a0);
                    a1 = v.fma(FloatVector.broadcast(F, s[s1 + j]), a1);
                    a2 = v.fma(FloatVector.broadcast(F, s[s2 + j]), a2);
                    a3 = v.fma(FloatVector.broadcast(F, s[s3 + j]), a3);
                }
                t0 = t0.add(a0.add(b0));
                t1 = t1.add(a1.add(b1));
                t2 = t2.add(a2.add(b2));
                t3 = t3.add(a3.add(b3));
                jb = je;
            }
            t0.mul(inv[0]).intoArray(out, qo[0] + d0);
            t1.mul(inv[1]).intoArray(out, qo[1] + d0);
            t2.mul(inv[2]).intoArray(out, qo[2] + d0);
            t3.mul(inv[3]).intoArray(out, qo[3] + d0);
        }
        for (; d0 < hd; d0++) {
            for (int b = 0; b < QUERY_BATCH; b++) {
                float acc = 0;
                for (int j = 0; j < len; j++)
                    acc = Math.fma(s[b * sStride + j], vc[j * kvDim + (j < split ? kvOff : ownBase) + d0], acc);
                out[qo[b] + d0] = acc * inv[b];
            }
        }
    }

    /**
     * One KV head's buffers in {@link #attend}, and the parameters its batches share. Keys transposed:
     * kt[d·stride + j], column j < pre is cache slot j, the segment's own rows follow its prefix. Values
     * likewise, in planes of one vector's worth of dimensions: vt[c·vPlane + j·lanes + l] is value
     * dimension c·lanes + l of column j, so the weighted sums load them indexed by the key with a constant
     * stride (C2 then drops the bounds checks that cost a compare and branch per load). Scores go to
     * {@link #QUERY_BATCH} rows of s (stride sStride); qo and len are the batch's query offsets and lengths.
     */
    private static final class HeadBuffers {
        final float[] q, kc, vc, out, kt, vt, s, laneSums, inv;
        final double[] sums;
        final int[] qo = new int[QUERY_BATCH], len = new int[QUERY_BATCH];
        final int hd, kvDim, kvOff, stride, vPlane, sStride;
        final float scale2;

        HeadBuffers(AttentionBuffers io, int hd, int kvDim, int kvOff, int stride, int sStride, float scale2) {
            int lanes = F.length();
            this.q = io.q();
            this.kc = io.keys();
            this.vc = io.values();
            this.out = io.out();
            this.hd = hd;
            this.kvDim = kvDim;
            this.kvOff = kvOff;
            this.stride = stride;
            this.vPlane = stride * lanes;
            this.sStride = sStride;
            this.scale2 = scale2;
            kt = new float[hd * stride];
            vt = new float[hd / lanes * vPlane];
            s = new float[QUERY_BATCH * sStride];
            laneSums = new float[QUERY_BATCH * lanes];
            inv = new float[QUERY_BATCH];
            sums = new double[QUERY_BATCH];
        }
    }
}
