package dev.llmcw.compress.seedlm;

import dev.llmcw.engine.Parallel;
import dev.llmcw.tensor.Linear;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = Ŵ·x with Ŵ rebuilt from the seeds inside the matvec (SeedLM's point: 4 bits per weight read instead of 16).
 * Nothing decoded per block is stored: per block the matvec reads one packed int (32 bits for (8,3,16), as in
 * the file) and regenerates U from the register state. Instead of stepping the register C·P times it reads the
 * LFSR's own output sequence from {@link LfsrJumpTable} (2^K ints, 256 KB at K = 16: the next 32 feedback bits of
 * every state), which depends on (K, C·P) only, is shared by every tensor and is independent of the model size.
 *
 * <p>Kernel (K ≤ 16, P ≤ 3, C·P ≤ 32; the 4-bit preset): one SIMD lane per output row, 16 rows in lock step,
 * blocks stored [block][row] as state | word &lt;&lt; 16. Per block one vector load of packed ints, one gather of
 * jump words (index = state), then each of the C·P states is a shift and a mask of the window
 * state | bits &lt;&lt; K, converted and FMA'd with the broadcast x_r (z_i = Σ_r x_r·V[r][i] over raw states; the
 * normalisation (V − 2^{K−1})/(2^{K−1} − 1) and q·2^e once per block). Two 16-row groups per iteration give two
 * independent FMA chains. A coefficient word holds e + 8 in bits 0–3 and code i in bits 4+4i..7+4i. Batches of
 * more than one token rebuild 16-row stripes once (scalar, from the same table) and reuse them for every token.
 *
 * <p>Other configurations (e.g. the 3-bit preset (12,4,16), C·P = 48) run {@link LfsrSteppingLinear}, the
 * register-stepping kernel. A cycle-table variant (the normalised cycle in decimated sections, so each column of
 * U is C contiguous floats and ŵ = Σ_p t̂_p·U[:,p] is three 8-float loads and FMAs per block and row) was measured
 * no faster than stepping for C = 8 (per-row loads and scalar unpacking instead of 16 rows per vector op) and 10×
 * slower for C = 12 (scalar), so it was dropped.
 *
 * <p>Measured on the 2-core development machine ({@code seedlm-bench}): 1.2–1.5× the stepping kernel and
 * 0.25–0.35× the dense BF16 matvec. There dense BF16 streams 30–55 GB/s, i.e. it is not memory-bound, and
 * SeedLM does ≥ 3× the vector work per weight (C·P products per block against C), so fewer bytes cannot win.
 */
public final class SeedLmLinear implements Linear {
    private static final VectorSpecies<Float> FJ = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IJ = FJ.vectorShape().withLanes(int.class);
    private static final int LJ = FJ.length();
    private static final int STRIPE = 16;

    private final int rows, cols, c, p, kk, bpr, rowsPad;
    /** Configurations outside the jump kernel's range run the stepping kernel. */
    private final LfsrSteppingLinear stepping;
    private final LfsrJumpTable jump;
    /** [block][row padded to LJ]: state | word << 16 (padding rows: state 1, all codes 0). */
    private final int[] packedBm;
    private final float normScale;
    /** (e + 8) << 4 | (code & 0xF) ↦ code · 2^e · scale, for the batch path. */
    private final float[] coef = new float[256];

    public SeedLmLinear(SeedLmTensor t) {
        SeedLmConfig cfg = t.config();
        this.rows = t.rows();
        this.cols = t.cols();
        this.c = cfg.c();
        this.p = cfg.p();
        this.kk = cfg.k();
        this.bpr = t.blocksPerRow();
        this.rowsPad = (rows + LJ - 1) / LJ * LJ;
        this.normScale = (float) (t.scale() / ((1 << (kk - 1)) - 1.0));
        if (!jumpKernelFits(cfg)) {
            stepping = new LfsrSteppingLinear(t);
            jump = null;
            packedBm = null;
            return;
        }
        stepping = null;
        jump = LfsrJumpTable.of(kk, c * p);
        for (int e = -8; e < 8; e++) {
            for (int q = -8; q < 8; q++) coef[(e + 8) << 4 | (q & 0xF)] = (float) (t.scale() * CoefficientQuantizer.value(q, e));
        }
        packedBm = new int[bpr * rowsPad];
        for (int b = 0; b < bpr; b++) {
            for (int o = 0; o < rowsPad; o++) {
                int state = 1, word = 0;
                if (o < rows) {
                    int blk = o * bpr + b;
                    state = t.seed(blk);
                    word = t.exponent(blk) + 8;
                    for (int i = 0; i < p; i++) word |= (t.code(blk, i) & 0xF) << (4 + 4 * i);
                }
                packedBm[b * rowsPad + o] = state | word << 16;
            }
        }
    }

    /** K ≤ 16 (state in 16 bits), P ≤ 3 (state and word in one int), C·P ≤ 32 (one jump word per block). */
    static boolean jumpKernelFits(SeedLmConfig cfg) {
        return cfg.k() <= 16 && cfg.p() <= 3 && cfg.c() * cfg.p() <= 32;
    }

    @Override public int inFeatures() { return cols; }
    @Override public int outFeatures() { return rows; }
    @Override public String kind() { return "seedlm on-the-fly"; }

    /** Packed block data read per token (rows padded to the SIMD width); the shared jump table is not included. */
    @Override
    public long storageBytes() { return stepping != null ? stepping.storageBytes() : 4L * packedBm.length; }

    /** Bytes of the table shared by every layer with the same K and C·P (0 when the stepping kernel runs). */
    public long sharedTableBytes() { return jump != null ? jump.bytes() : 0; }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (stepping != null) stepping.forward(x, xOff, y, yOff, batch);
        else if (batch == 1) forwardJump(x, xOff, y, yOff);
        else forwardStripes(x, xOff, y, yOff, batch);
    }

    private float t(int word, int i) { return coef[(word & 0xF) << 4 | (word >>> (4 + 4 * i) & 0xF)]; }

    /** Row o of Ŵ (cols floats) into out[off..], from the jump table (jump configurations only). */
    void decodeRow(int o, float[] out, int off) {
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
    }

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
