package dev.llmcw.compress.seedlm;

import dev.llmcw.engine.Parallel;
import dev.llmcw.tensor.Linear;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = Ŵ·x with Ŵ rebuilt from the seeds inside the matvec, reading the LFSR states from the shared
 * {@link CycleTable} instead of stepping the register (the stepping kernel, {@link LfsrSteppingLinear}, is
 * kept as the baseline). Per block the matvec reads one packed int (cycle offset, exponent, codes) and, from
 * the table, the P columns of U — each C contiguous floats — and forms ŵ = Σ_p t̂_p·U[:,p] in registers:
 * nothing decoded per block is stored anywhere. The table depends on (K, P) only (438 KB for K = 16, P = 3;
 * shared by every tensor), so the bytes per token that scale with the model are the packed blocks alone.
 *
 * <p>In memory, row-major ([row][block]). Layout A (K ≤ 16, P ≤ 3): one int per block, the cycle offset o of
 * the stored state in bits 0–15 and the coefficient word in bits 16–31, i.e. the 32 bits per block of the file
 * for (8,3,16). Offsets replace states at load time (same width; the file keeps the register state, which a
 * decoder without the table needs). Layout B (otherwise): offset and word as separate ints. A coefficient word
 * holds e + 8 in bits 0–3 and code i in bits 4+4i..7+4i; t̂_i comes from a 256-entry (e, code) ↦ q·2^e·scale
 * lookup.
 *
 * <p>Kernel (C a multiple of 8): one 8-float vector per C/8 slice of a block, four rows at a time so the
 * loads of x serve four rows and four independent FMA chains hide latency. Other C: the same table reads,
 * scalar. Batches of more than one token rebuild a stripe of rows once and reuse it for every token.
 */
public final class SeedLmLinear implements Linear {
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final int ROWS_PER_UNIT = 4;
    private static final int STRIPE = 16;
    private static final int CHUNK = 64;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_PREFERRED;
    private static final int LI = I16.length();

    private final int rows, cols, c, p, bpr, stride;
    private final CycleTable table;
    private final float[] tab;
    private final long magic;
    private final float scale;
    private final boolean vector;
    /** Jump mode (K ≤ 16, P ≤ 3, C·P ≤ 32): the LFSR jump table, and blocks [block][row padded to 16] as state | word << 16. */
    private final LfsrJumpTable jump;
    private final int[] packedBm;
    private final int rowsPad, kk;
    private final float normScale;
    /** Layout A: offset | word << 16. */
    private final int[] packed;
    /** Layout B. */
    private final int[] offsets32, words32;
    /** (e + 8) << 4 | (code & 0xF) ↦ code · 2^e · scale. */
    private final float[] coef = new float[256];

    public SeedLmLinear(SeedLmTensor t) {
        SeedLmConfig cfg = t.config();
        if (cfg.p() > 7) throw new IllegalArgumentException("P > 7 not supported");
        if (cfg.c() > CycleTable.MAX_C) throw new IllegalArgumentException("C > " + CycleTable.MAX_C + " not supported");
        this.rows = t.rows();
        this.cols = t.cols();
        this.c = cfg.c();
        this.p = cfg.p();
        this.bpr = t.blocksPerRow();
        this.vector = c % 8 == 0;
        this.scale = t.scale();
        for (int e = -8; e < 8; e++) {
            for (int q = -8; q < 8; q++) {
                coef[(e + 8) << 4 | (q & 0xF)] = (float) (t.scale() * CoefficientQuantizer.value(q, e));
            }
        }
        this.kk = cfg.k();
        this.normScale = (float) (t.scale() / ((1 << (kk - 1)) - 1.0));
        this.rowsPad = (rows + LJ - 1) / LJ * LJ;
        boolean j = kk <= 16 && p <= 3 && c * p <= 32;
        this.jump = j ? LfsrJumpTable.of(kk, c * p) : null;
        this.table = j ? null : CycleTable.of(kk, p);
        this.tab = j ? null : table.values;
        this.stride = j ? 0 : table.stride;
        this.magic = j ? 0 : table.magic;
        int n = rows * bpr;
        boolean a = !j && kk <= 16 && p <= 3;
        packedBm = j ? new int[bpr * rowsPad] : null;
        packed = a ? new int[n] : null;
        offsets32 = j || a ? null : new int[n];
        words32 = j || a ? null : new int[n];
        if (j) {
            for (int b = 0; b < bpr; b++) {
                for (int o = 0; o < rowsPad; o++) {
                    int state = 1, word = 0; // padding rows: a valid state, all codes 0
                    if (o < rows) {
                        int blk = o * bpr + b;
                        state = t.seed(blk);
                        word = wordOf(t, blk, p);
                    }
                    packedBm[b * rowsPad + o] = state | word << 16;
                }
            }
        }
        for (int blk = 0; blk < n && !j; blk++) {
            int off = table.offset(t.seed(blk));
            int word = wordOf(t, blk, p);
            if (a) {
                packed[blk] = off | word << 16;
            } else {
                offsets32[blk] = off;
                words32[blk] = word;
            }
        }
    }

    private static int wordOf(SeedLmTensor t, int blk, int p) {
        int word = t.exponent(blk) + 8;
        for (int i = 0; i < p; i++) word |= (t.code(blk, i) & 0xF) << (4 + 4 * i);
        return word;
    }

    @Override public int inFeatures() { return cols; }
    @Override public int outFeatures() { return rows; }
    @Override public String kind() { return "seedlm on-the-fly"; }

    /** Packed block data read per token; the shared cycle table ({@link #sharedTableBytes()}) is not included. */
    @Override
    public long storageBytes() {
        return packedBm != null ? 4L * packedBm.length : (long) rows * bpr * (packed != null ? 4 : 8);
    }

    /** Bytes of the (K, P) cycle table, shared by every layer with the same K and P. */
    public long sharedTableBytes() { return jump != null ? jump.bytes() : table.bytes(); }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (batch == 1 && jump != null) {
            forwardJump(x, xOff, y, yOff);
        } else if (batch == 1) {
            float[] xp = new float[bpr * c]; // zero-padded to whole blocks
            System.arraycopy(x, xOff, xp, 0, cols);
            int units = (rows + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT;
            Parallel.forRange(0, units, 8, u -> {
                int o0 = u * ROWS_PER_UNIT;
                if (packed != null && c == 8 && p == 3 && o0 + ROWS_PER_UNIT <= rows) {
                    fourRows83(o0, xp, y, yOff, SCRATCH.get());
                } else if (vector && o0 + ROWS_PER_UNIT <= rows) {
                    fourRows(o0, xp, y, yOff);
                } else {
                    for (int o = o0; o < Math.min(rows, o0 + ROWS_PER_UNIT); o++) {
                        y[yOff + o] = vector ? oneRow(o, xp) : oneRowScalar(o, xp);
                    }
                }
            });
        } else {
            forwardStripes(x, xOff, y, yOff, batch);
        }
    }

    private int offsetOf(int blk) { return packed != null ? packed[blk] & 0xFFFF : offsets32[blk]; }

    private int wordOf(int blk) { return packed != null ? packed[blk] >>> 16 : words32[blk]; }

    /** Flat table index of U[0][0] for cycle offset o (see {@link CycleTable#base}). */
    private int base(int o) {
        int m = (int) ((o * magic) >>> 32);
        return (o - m * p) * stride + m;
    }

    private float t(int word, int i) { return coef[(word & 0xF) << 4 | (word >>> (4 + 4 * i) & 0xF)]; }

    /** ŵ slice (8 weights at rows ch..ch+7 of the block) from the table: Σ_i t̂_i · U[ch.., i]. */
    private FloatVector slice(int b0, int word, int ch) {
        FloatVector w = FloatVector.fromArray(F8, tab, b0 + ch).mul(t(word, 0));
        for (int i = 1; i < p; i++) w = FloatVector.fromArray(F8, tab, b0 + i * stride + ch).fma(FloatVector.broadcast(F8, t(word, i)), w);
        return w;
    }

    private void fourRows(int o0, float[] xp, float[] y, int yOff) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        int r0 = o0 * bpr, r1 = r0 + bpr, r2 = r1 + bpr, r3 = r2 + bpr;
        for (int b = 0; b < bpr; b++) {
            int w0 = wordOf(r0 + b), w1 = wordOf(r1 + b), w2 = wordOf(r2 + b), w3 = wordOf(r3 + b);
            int b0 = base(offsetOf(r0 + b)), b1 = base(offsetOf(r1 + b)), b2 = base(offsetOf(r2 + b)), b3 = base(offsetOf(r3 + b));
            for (int ch = 0; ch < c; ch += 8) {
                FloatVector xv = FloatVector.fromArray(F8, xp, b * c + ch);
                a0 = slice(b0, w0, ch).fma(xv, a0);
                a1 = slice(b1, w1, ch).fma(xv, a1);
                a2 = slice(b2, w2, ch).fma(xv, a2);
                a3 = slice(b3, w3, ch).fma(xv, a3);
            }
        }
        y[yOff + o0] = a0.reduceLanes(VectorOperators.ADD);
        y[yOff + o0 + 1] = a1.reduceLanes(VectorOperators.ADD);
        y[yOff + o0 + 2] = a2.reduceLanes(VectorOperators.ADD);
        y[yOff + o0 + 3] = a3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * The 4-bit preset (C = 8, P = 3, layout A) in two passes per chunk of {@link #CHUNK} blocks of four rows.
     * Pass 1 unpacks 16 packed ints per vector op into the table base index and the three t̂ = q·2^e·scale (L1
     * scratch, 4·CHUNK blocks, overwritten every chunk: transient, like a register file). Pass 2 is then per block
     * and row one base, three t̂, three 8-float table loads, three FMAs for ŵ, one FMA with x. Written out without
     * vector-valued helpers: C2 keeps vectors in registers only when none crosses a call.
     */
    private void fourRows83(int o0, float[] xp, float[] y, int yOff, Scratch sc) {
        final float[] tab = this.tab, t0 = sc.t0, t1 = sc.t1, t2 = sc.t2;
        final int[] base = sc.base;
        final int st = stride, st2 = 2 * stride;
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        for (int c0 = 0; c0 < bpr; c0 += CHUNK) {
            int nb = Math.min(CHUNK, bpr - c0);
            for (int r = 0; r < ROWS_PER_UNIT; r++) unpack83((o0 + r) * bpr + c0, nb, r * CHUNK, sc);
            for (int j = 0; j < nb; j++) {
                FloatVector xv = FloatVector.fromArray(F8, xp, (c0 + j) * 8);
                int i0 = j, i1 = CHUNK + j, i2 = 2 * CHUNK + j, i3 = 3 * CHUNK + j;
                int b0 = base[i0], b1 = base[i1], b2 = base[i2], b3 = base[i3];
                FloatVector w0 = FloatVector.fromArray(F8, tab, b0).mul(t0[i0]);
                FloatVector w1 = FloatVector.fromArray(F8, tab, b1).mul(t0[i1]);
                FloatVector w2 = FloatVector.fromArray(F8, tab, b2).mul(t0[i2]);
                FloatVector w3 = FloatVector.fromArray(F8, tab, b3).mul(t0[i3]);
                w0 = FloatVector.fromArray(F8, tab, b0 + st).fma(FloatVector.broadcast(F8, t1[i0]), w0);
                w1 = FloatVector.fromArray(F8, tab, b1 + st).fma(FloatVector.broadcast(F8, t1[i1]), w1);
                w2 = FloatVector.fromArray(F8, tab, b2 + st).fma(FloatVector.broadcast(F8, t1[i2]), w2);
                w3 = FloatVector.fromArray(F8, tab, b3 + st).fma(FloatVector.broadcast(F8, t1[i3]), w3);
                w0 = FloatVector.fromArray(F8, tab, b0 + st2).fma(FloatVector.broadcast(F8, t2[i0]), w0);
                w1 = FloatVector.fromArray(F8, tab, b1 + st2).fma(FloatVector.broadcast(F8, t2[i1]), w1);
                w2 = FloatVector.fromArray(F8, tab, b2 + st2).fma(FloatVector.broadcast(F8, t2[i2]), w2);
                w3 = FloatVector.fromArray(F8, tab, b3 + st2).fma(FloatVector.broadcast(F8, t2[i3]), w3);
                a0 = w0.fma(xv, a0);
                a1 = w1.fma(xv, a1);
                a2 = w2.fma(xv, a2);
                a3 = w3.fma(xv, a3);
            }
        }
        y[yOff + o0] = a0.reduceLanes(VectorOperators.ADD);
        y[yOff + o0 + 1] = a1.reduceLanes(VectorOperators.ADD);
        y[yOff + o0 + 2] = a2.reduceLanes(VectorOperators.ADD);
        y[yOff + o0 + 3] = a3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * nb packed (8,3) blocks from packed[from..] into scratch[at..]: base = (o mod 3)·stride + o / 3 (o / 3 as
     * (o·43691) >>> 17, exact for o < 2^16), t̂_i = q_i · 2^e · scale with 2^e built from the exponent bits.
     */
    private void unpack83(int from, int nb, int at, Scratch sc) {
        final int[] pk = packed;
        int j = 0;
        for (; j <= nb - LI; j += LI) {
            IntVector v = IntVector.fromArray(I16, pk, from + j);
            IntVector o = v.and(0xFFFF);
            IntVector m = o.mul(43691).lanewise(VectorOperators.LSHR, 17);
            o.sub(m.mul(3)).mul(stride).add(m).intoArray(sc.base, at + j);
            FloatVector e = v.lanewise(VectorOperators.LSHR, 16).and(0xF).add(127 - 8).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats().mul(scale);
            ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).mul(e).intoArray(sc.t0, at + j);
            ((FloatVector) v.lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).mul(e).intoArray(sc.t1, at + j);
            ((FloatVector) v.lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).mul(e).intoArray(sc.t2, at + j);
        }
        for (; j < nb; j++) {
            int v = pk[from + j], word = v >>> 16;
            sc.base[at + j] = base(v & 0xFFFF);
            sc.t0[at + j] = t(word, 0);
            sc.t1[at + j] = t(word, 1);
            sc.t2[at + j] = t(word, 2);
        }
    }

    /** Per-thread L1 scratch of the (8,3) kernel. */
    private static final class Scratch {
        final int[] base = new int[ROWS_PER_UNIT * CHUNK];
        final float[] t0 = new float[ROWS_PER_UNIT * CHUNK], t1 = new float[ROWS_PER_UNIT * CHUNK], t2 = new float[ROWS_PER_UNIT * CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private float oneRow(int o, float[] xp) {
        FloatVector acc = FloatVector.zero(F8);
        int r0 = o * bpr;
        for (int b = 0; b < bpr; b++) {
            int w = wordOf(r0 + b), b0 = base(offsetOf(r0 + b));
            for (int ch = 0; ch < c; ch += 8) acc = slice(b0, w, ch).fma(FloatVector.fromArray(F8, xp, b * c + ch), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private float oneRowScalar(int o, float[] xp) {
        float sum = 0;
        int r0 = o * bpr;
        for (int b = 0; b < bpr; b++) {
            int w = wordOf(r0 + b), b0 = base(offsetOf(r0 + b));
            for (int r = 0; r < c; r++) {
                float v = 0;
                for (int i = 0; i < p; i++) v += tab[b0 + i * stride + r] * t(w, i);
                sum += v * xp[b * c + r];
            }
        }
        return sum;
    }

    /** Row o of Ŵ (cols floats) into out[off..]: the same table reads as the matvec. */
    void decodeRow(int o, float[] out, int off) {
        if (jump != null) {
            float[] u = new float[c * p];
            for (int b = 0; b < bpr; b++) {
                int v = packedBm[b * rowsPad + o], state = v & 0xFFFF, w = v >>> 16;
                for (int i = 0; i < u.length; i++) u[i] = (float) Lfsr.normalise(jump.stateAfter(state, i + 1), kk);
                for (int r = 0; r < c && b * c + r < cols; r++) {
                    float val = u[r * p] * t(w, 0);
                    for (int i = 1; i < p; i++) val = Math.fma(u[r * p + i], t(w, i), val);
                    out[off + b * c + r] = val;
                }
            }
            return;
        }
        int r0 = o * bpr;
        for (int b = 0; b < bpr; b++) {
            int w = wordOf(r0 + b), b0 = base(offsetOf(r0 + b));
            for (int r = 0; r < c && b * c + r < cols; r++) {
                float v = tab[b0 + r] * t(w, 0);
                for (int i = 1; i < p; i++) v = Math.fma(tab[b0 + i * stride + r], t(w, i), v);
                out[off + b * c + r] = v;
            }
        }
    }

    // ---- jump mode: one SIMD lane per output row, every state of U two integer ops from the jump table ----

    private static final VectorSpecies<Float> FJ = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IJ = FJ.vectorShape().withLanes(int.class);
    private static final int LJ = FJ.length();

    private void forwardJump(float[] x, int xOff, float[] y, int yOff) {
        float[] xp = new float[bpr * c];
        System.arraycopy(x, xOff, xp, 0, cols);
        float[] hxs = new float[bpr]; // 2^{K−1} · Σ_r x_r per block
        float h = 1 << (kk - 1);
        for (int b = 0; b < bpr; b++) {
            float sum = 0;
            for (int r = 0; r < c; r++) sum += xp[b * c + r];
            hxs[b] = h * sum;
        }
        int groups = rowsPad / LJ, pairs = groups / 2;
        Parallel.forRange(0, pairs + groups % 2, 1, u -> {
            if (u < pairs) rowPairJump(2 * u * LJ, xp, hxs, y, yOff, new int[2 * LJ]);
            else rowGroupJump((groups - 1) * LJ, xp, hxs, y, yOff, new int[LJ]);
        });
    }

    /**
     * 16 (LJ) rows starting at o0, block by block. Per block: one vector load of the packed ints, one gather of
     * the jump-table words (index = register state), then for state j of U (j = 1 .. C·P) one shift and one mask
     * of the 32-bit window (or of the table word), a conversion and an FMA: z_i = Σ_r x_r·V[r][i] over the raw
     * states; the normalisation and q·2^e are applied once per block as in {@link LfsrSteppingLinear}.
     */
    private void rowGroupJump(int o0, float[] xp, float[] hxs, float[] y, int yOff, int[] idx) {
        final int c = this.c, p = this.p, k = kk, km = (1 << k) - 1, winMax = 32 - k;
        final int[] jb = jump.bits, pk = packedBm;
        final FloatVector zero = FloatVector.zero(FJ);
        FloatVector acc = zero;
        for (int b = 0; b < bpr; b++) {
            IntVector v = IntVector.fromArray(IJ, pk, b * rowsPad + o0);
            IntVector s = v.and(0xFFFF);
            s.intoArray(idx, 0);
            IntVector nb = IntVector.fromArray(IJ, jb, 0, idx, 0);
            IntVector win = s.or(nb.lanewise(VectorOperators.LSHL, k));
            FloatVector z0 = zero, z1 = zero, z2 = zero;
            int xb = b * c, j = 1;
            for (int r = 0; r < c; r++) {
                FloatVector xr = FloatVector.broadcast(FJ, xp[xb + r]);
                IntVector st = j <= winMax ? win.lanewise(VectorOperators.LSHR, j).and(km) : nb.lanewise(VectorOperators.LSHR, j - k).and(km);
                z0 = ((FloatVector) st.convert(VectorOperators.I2F, 0)).fma(xr, z0);
                j++;
                if (p > 1) {
                    st = j <= winMax ? win.lanewise(VectorOperators.LSHR, j).and(km) : nb.lanewise(VectorOperators.LSHR, j - k).and(km);
                    z1 = ((FloatVector) st.convert(VectorOperators.I2F, 0)).fma(xr, z1);
                    j++;
                }
                if (p > 2) {
                    st = j <= winMax ? win.lanewise(VectorOperators.LSHR, j).and(km) : nb.lanewise(VectorOperators.LSHR, j - k).and(km);
                    z2 = ((FloatVector) st.convert(VectorOperators.I2F, 0)).fma(xr, z2);
                    j++;
                }
            }
            IntVector wd = v.lanewise(VectorOperators.LSHR, 16);
            FloatVector hx = FloatVector.broadcast(FJ, hxs[b]);
            FloatVector blk = ((FloatVector) wd.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).mul(z0.sub(hx));
            if (p > 1) blk = ((FloatVector) wd.lanewise(VectorOperators.LSHL, 20).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(z1.sub(hx), blk);
            if (p > 2) blk = ((FloatVector) wd.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(z2.sub(hx), blk);
            acc = blk.fma(wd.and(0xF).add(127 - 8).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats().mul(normScale), acc);
        }
        if (o0 + LJ <= rows) acc.intoArray(y, yOff + o0);
        else acc.intoArray(y, yOff + o0, FJ.indexInRange(o0, rows));
    }

    /** Two 16-row groups at once: two independent FMA chains per coefficient hide the FMA latency. Same steps as {@link #rowGroupJump}. */
    private void rowPairJump(int o0, float[] xp, float[] hxs, float[] y, int yOff, int[] idx) {
        final int c = this.c, p = this.p, k = kk, km = (1 << k) - 1, winMax = 32 - k;
        final int[] jb = jump.bits, pk = packedBm;
        final FloatVector zero = FloatVector.zero(FJ);
        FloatVector accA = zero, accB = zero;
        for (int b = 0; b < bpr; b++) {
            IntVector vA = IntVector.fromArray(IJ, pk, b * rowsPad + o0), vB = IntVector.fromArray(IJ, pk, b * rowsPad + o0 + LJ);
            IntVector sA = vA.and(0xFFFF), sB = vB.and(0xFFFF);
            sA.intoArray(idx, 0);
            sB.intoArray(idx, LJ);
            IntVector nA = IntVector.fromArray(IJ, jb, 0, idx, 0), nB = IntVector.fromArray(IJ, jb, 0, idx, LJ);
            IntVector wA = sA.or(nA.lanewise(VectorOperators.LSHL, k)), wB = sB.or(nB.lanewise(VectorOperators.LSHL, k));
            FloatVector a0 = zero, a1 = zero, a2 = zero, b0 = zero, b1 = zero, b2 = zero;
            int xb = b * c, j = 1;
            for (int r = 0; r < c; r++) {
                FloatVector xr = FloatVector.broadcast(FJ, xp[xb + r]);
                boolean w = j <= winMax;
                IntVector tA = (w ? wA : nA).lanewise(VectorOperators.LSHR, w ? j : j - k).and(km);
                IntVector tB = (w ? wB : nB).lanewise(VectorOperators.LSHR, w ? j : j - k).and(km);
                a0 = ((FloatVector) tA.convert(VectorOperators.I2F, 0)).fma(xr, a0);
                b0 = ((FloatVector) tB.convert(VectorOperators.I2F, 0)).fma(xr, b0);
                j++;
                if (p > 1) {
                    w = j <= winMax;
                    tA = (w ? wA : nA).lanewise(VectorOperators.LSHR, w ? j : j - k).and(km);
                    tB = (w ? wB : nB).lanewise(VectorOperators.LSHR, w ? j : j - k).and(km);
                    a1 = ((FloatVector) tA.convert(VectorOperators.I2F, 0)).fma(xr, a1);
                    b1 = ((FloatVector) tB.convert(VectorOperators.I2F, 0)).fma(xr, b1);
                    j++;
                }
                if (p > 2) {
                    w = j <= winMax;
                    tA = (w ? wA : nA).lanewise(VectorOperators.LSHR, w ? j : j - k).and(km);
                    tB = (w ? wB : nB).lanewise(VectorOperators.LSHR, w ? j : j - k).and(km);
                    a2 = ((FloatVector) tA.convert(VectorOperators.I2F, 0)).fma(xr, a2);
                    b2 = ((FloatVector) tB.convert(VectorOperators.I2F, 0)).fma(xr, b2);
                    j++;
                }
            }
            FloatVector hx = FloatVector.broadcast(FJ, hxs[b]);
            IntVector da = vA.lanewise(VectorOperators.LSHR, 16), db = vB.lanewise(VectorOperators.LSHR, 16);
            FloatVector blkA = ((FloatVector) da.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).mul(a0.sub(hx));
            FloatVector blkB = ((FloatVector) db.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).mul(b0.sub(hx));
            if (p > 1) {
                blkA = ((FloatVector) da.lanewise(VectorOperators.LSHL, 20).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(a1.sub(hx), blkA);
                blkB = ((FloatVector) db.lanewise(VectorOperators.LSHL, 20).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(b1.sub(hx), blkB);
            }
            if (p > 2) {
                blkA = ((FloatVector) da.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(a2.sub(hx), blkA);
                blkB = ((FloatVector) db.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(b2.sub(hx), blkB);
            }
            accA = blkA.fma(da.and(0xF).add(127 - 8).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats().mul(normScale), accA);
            accB = blkB.fma(db.and(0xF).add(127 - 8).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats().mul(normScale), accB);
        }
        if (o0 + LJ <= rows) accA.intoArray(y, yOff + o0);
        else if (o0 < rows) accA.intoArray(y, yOff + o0, FJ.indexInRange(o0, rows));
        int o1 = o0 + LJ;
        if (o1 + LJ <= rows) accB.intoArray(y, yOff + o1);
        else if (o1 < rows) accB.intoArray(y, yOff + o1, FJ.indexInRange(o1, rows));
    }

    /** Batches: rebuild 16-row stripes once and apply them to every token. */
    private void forwardStripes(float[] x, int xOff, float[] y, int yOff, int batch) {
        final VectorSpecies<Float> fs = FloatVector.SPECIES_PREFERRED;
        final int l = fs.length();
        Parallel.forRange(0, (rows + STRIPE - 1) / STRIPE, 1, g -> {
            int o0 = g * STRIPE, o1 = Math.min(rows, o0 + STRIPE);
            float[] stripe = new float[(o1 - o0) * cols];
            for (int o = o0; o < o1; o++) decodeRow(o, stripe, (o - o0) * cols);
            for (int tk = 0; tk < batch; tk++) {
                int xo = xOff + tk * cols;
                for (int o = o0; o < o1; o++) {
                    FloatVector acc = FloatVector.zero(fs);
                    int base = (o - o0) * cols, j = 0;
                    for (; j <= cols - l; j += l) {
                        acc = FloatVector.fromArray(fs, stripe, base + j).fma(FloatVector.fromArray(fs, x, xo + j), acc);
                    }
                    float sum = acc.reduceLanes(VectorOperators.ADD);
                    for (; j < cols; j++) sum += stripe[base + j] * x[xo + j];
                    y[yOff + tk * rows + o] = sum;
                }
            }
        });
    }
}
