package dev.llmcw.compress.seedlm;

import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;
import java.util.Arrays;
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
 * <p>Kernel (K ≤ 16, P ≤ 3, C·P ≤ 31; the 4-bit preset): one SIMD lane per output row, two 8-row groups in lock
 * step, blocks stored [row pair][block][row] (a pair's blocks contiguous, so it streams through memory) as one int: state in bits 0–15, code i as q_i + 8 in bits 16+4i..19+4i, e + 8
 * in bits 28–31 (the 32 bits per block of the file, rearranged at load time). Per block and group: one vector load
 * of the packed ints and the jump words nb = table[state], read by scalar loads one block ahead. With a_0 a_1 … the
 * register's output sequence (a_0..a_{K−1} = the state), win = state | nb &lt;&lt; K holds a_0..a_31 and nb holds
 * a_K..a_{K+31}; state j of U is a_j..a_{j+K−1}, so win &amp; ((2^K − 1) &lt;&lt; j) (j ≤ 31 − K; later states from
 * nb) is V_j·2^j as a positive int: one AND in place instead of shift and mask; its int→float conversion is exact
 * and the 2^{−j} is folded into a per-matvec table of scaled x values. So each of the C·P states costs AND,
 * convert, FMA: z_i = Σ_r x_r·V[r][i] (exact power-of-two scalings aside), the accumulators starting at
 * −2^{K−1}·Σ_r x_r, which is the centring of (V − 2^{K−1})/(2^{K−1} − 1). Per block then (v &amp; 0xF &lt;&lt; 16+4i)
 * converted minus 8·2^{16+4i} is q_i·2^{16+4i} exactly, and e + 8 moved into the float exponent field (bias 112)
 * is 2^{e−7}; the remaining constant is one multiply per output. The products are those of the previous kernel
 * scaled by powers of two, summed after the centring term instead of before it, so the rounding is of the same
 * size (the tests keep their 1e-5 tolerances). Batches of more than one token rebuild
 * 16-row stripes once (scalar, from the same table) and reuse them for every token.
 *
 * <p>Other configurations (e.g. the 3-bit preset (12,4,16), C·P = 48) run {@link LfsrSteppingLinear}, the
 * register-stepping kernel. A cycle-table variant (the normalised cycle in decimated sections, so each column of
 * U is C contiguous floats and ŵ = Σ_p t̂_p·U[:,p] is three 8-float loads and FMAs per block and row) was measured
 * no faster than stepping for C = 8 (per-row loads and scalar unpacking instead of 16 rows per vector op) and 10×
 * slower for C = 12 (scalar), so it was dropped.
 *
 * <p>Measured on the 2-core AMD Zen 1 VM (EPYC 7001, AVX2; 256-bit ops are two 128-bit µops), single thread,
 * 2048×8192 layer, interleaved in one process with the previous kernel (per state: shift, mask, convert, FMA;
 * one vpgatherdd per 8 rows and block): 19.5 → 15.4 ms with the in-place AND (1.26×), 13.8–14.7 ms with the
 * accumulators starting at −2^{K−1}Σx, masks as vector operands and scalar jump-word loads instead of the gather
 * (1.38×), 13.1 ms with the [row pair][block][row] layout (1.52×; at 8192×2048 25 → 13 ms, 1.90×: with the
 * blocks of all rows side by side, consecutive blocks of a row pair were a whole column (32 KB) apart, so every
 * block was a DRAM access and a TLB miss once the arithmetic got faster). Per 16 rows and block that is ≈ 200
 * cycles at 2 GHz against ≈ 300 before; the 48 AND/convert/FMA triples alone are ≈ 145 instructions (this core
 * sustains about one 256-bit instruction per cycle on this mix), and the dense BF16 matvec needs ≈ 60 cycles for
 * the same 128 weights, so this formulation cannot reach it on this CPU ({@code seedlm-bench}: about 0.3× dense
 * BF16, from 0.17–0.19×; see README). Standalone microbenchmarks of what did not help: fully unrolled state code (the Vector API
 * boxes once a helper or the method size stops C2's inlining; unboxed, it was still slower than the loop,
 * likely front-end bound); the mantissa trick (state in mantissa bits, OR with the exponent of 1.0, the offset
 * folded into the correction) costs a shift per state, and shifts are the expensive op here (removing them
 * was the 1.26×): it measured no faster than the convert, and without a subtraction of 1.0 per state its
 * rounding is up to 2^{8−p} times worse for states in mantissa bits p..p+15, p &lt; 7; the same without shifts
 * (windows at four offsets, (win | 1.0f) &amp; (mask | 1.0f) − 1) was again no faster than AND + convert;
 * 128-bit vectors (slightly slower); splitting the six FMA chains into twelve (slower); the jump-word lookups as
 * a separate scalar pass per chunk, or from two 256-entry tables (the LFSR is linear over GF(2):
 * table[s] = lo[s &amp; 0xFF] ^ hi[s &gt;&gt;&gt; 8], L1-resident), both slower than the gather (more
 * instructions); a constant P = 3 in the loops (1.01×); four 8-row groups per iteration to share the x
 * broadcasts and masks further (0.45–0.95×: out of vector registers). With the gathers replaced by plain loads (wrong results, timing only)
 * the kernel was 1.65× the old one against 1.30× with them, so the 16 jump-word lookups per 16 rows and block
 * cost ~20 % of the time; the scalar loads recover a third of that. The last 8-row group of an odd group count
 * ({@link #rowGroupJump}) still gathers.
 */
public final class SeedLmLinear implements Linear {
    private static final VectorSpecies<Float> FJ = KernelSpecies.F;
    private static final VectorSpecies<Integer> IJ = FJ.vectorShape().withLanes(int.class);
    private static final int LJ = FJ.length();
    private static final int STRIPE = 16;

    private final int rows, cols, c, p, kk, bpr, rowsPad;
    /** Configurations outside the jump kernel's range run the stepping kernel. */
    private final LfsrSteppingLinear stepping;

    private final LfsrJumpTable jump;
    /** [row pair][block][row] (see {@link #at}; rows padded to LJ): state | (q_i + 8) << 16+4i | (e + 8) << 28 (padding rows: state 1, codes 0, e + 8 = 0). */
    private final int[] packedBm;

    private final float normScale;
    /** (e + 8) << 4 | (code & 0xF) ↦ code · 2^e · scale, for the batch path. */
    private final float[] coef = new float[256];

    public SeedLmLinear(SeedLmTensor t) {
        if (!t.rowAligned())
            throw new IllegalArgumentException("SeedLM row kernels need whole blocks per row; this flat tensor has "
                    + t.cols() + " columns and C = " + t.config().c());
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
            for (int q = -8; q < 8; q++)
                coef[(e + 8) << 4 | (q & 0xF)] = (float) (t.scale() * CoefficientQuantizer.value(q, e));
        }
        packedBm = new int[bpr * rowsPad];
        for (int b = 0; b < bpr; b++) {
            for (int o = 0; o < rowsPad; o++) {
                int state = 1, word = 0x888; // padding rows: any valid state, codes 0 (stored + 8), e + 8 = 0
                if (o < rows) {
                    int blk = o * bpr + b;
                    state = t.seed(blk);
                    word = (t.exponent(blk) + 8) << 12;
                    for (int i = 0; i < p; i++) word |= (t.code(blk, i) + 8) << (4 * i);
                }
                packedBm[at(b, o)] = state | word << 16;
            }
        }
    }

    /**
     * K ≤ 16 (state in 16 bits), P ≤ 3 (state and word in one int), C·P ≤ 31 (one jump word per block, and every
     * state is a window of the register's output inside bits 0..30 of one int, so it converts as a positive int).
     */
    static boolean jumpKernelFits(SeedLmConfig cfg) {
        return cfg.k() <= 16 && cfg.p() <= 3 && cfg.c() * cfg.p() <= 31;
    }

    /**
     * Index of block b of row o in packedBm: rows in 2·LJ-row pairs, each pair's blocks contiguous ([pair][block][row],
     * so a pair streams through memory in order; [block][row] over all rows put consecutive blocks a whole column
     * apart), the last LJ rows of an odd group count as [block][row] of width LJ.
     */
    private int at(int b, int o) {
        int pairBase = o / (2 * LJ) * (2 * LJ), width = Math.min(2 * LJ, rowsPad - pairBase);
        return pairBase * bpr + b * width + (o - pairBase);
    }

    @Override
    public int inFeatures() {
        return cols;
    }

    @Override
    public int outFeatures() {
        return rows;
    }

    @Override
    public String kind() {
        return "seedlm on-the-fly";
    }

    /** Packed block data read per token (rows padded to the SIMD width); the shared jump table is not included. */
    @Override
    public long storageBytes() {
        return stepping != null ? stepping.storageBytes() : 4L * packedBm.length;
    }

    /** Bytes of the table shared by every layer with the same K and C·P (0 when the stepping kernel runs). */
    public long sharedTableBytes() {
        return jump != null ? jump.bytes() : 0;
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (stepping != null) stepping.forward(x, xOff, y, yOff, batch);
        else if (batch == 1) forwardJump(x, xOff, y, yOff);
        else forwardStripes(x, xOff, y, yOff, batch);
    }

    /** Coefficient i of a packed block (q_i + 8 in bits 16+4i..19+4i, e + 8 in bits 28..31). */
    private float t(int v, int i) {
        return coef[(v >>> 28) << 4 | ((v >>> (16 + 4 * i) & 0xF) - 8 & 0xF)];
    }

    /** Row o of Ŵ (cols floats) into out[off..], from the jump table (jump configurations only). */
    void decodeRow(int o, float[] out, int off) {
        float[] u = new float[c * p];
        for (int b = 0; b < bpr; b++) {
            int v = packedBm[at(b, o)], state = v & 0xFFFF;
            for (int i = 0; i < u.length; i++) u[i] = (float) Lfsr.normalise(jump.stateAfter(state, i + 1), kk);
            for (int r = 0; r < c && b * c + r < cols; r++) {
                float val = u[r * p] * t(v, 0);
                for (int i = 1; i < p; i++) val = Math.fma(u[r * p + i], t(v, i), val);
                out[off + b * c + r] = val;
            }
        }
    }

    /**
     * Exponent offset G of the scaled sums (see {@link #forwardJump}): keeps x·2^{−j}·2^{−16−4i+G} within
     * 2^{±12}·x for every state j and coefficient i, far from float underflow and overflow.
     */
    private static final int G = 28;

    private void forwardJump(float[] x, int xOff, float[] y, int yOff) {
        final int c = this.c, p = this.p, k = kk, cp = c * p, winMax = 31 - k;
        // xs[b][j−1] = x_r · 2^{−sh_j} · 2^{−16−4i+G} for state j = r·P + i + 1 (sh_j: where state j sits in its
        // window, see rowPairJump); hxs[b][i] = 2^{K−1}·Σ_r x_r · 2^{−16−4i+G}. Both exact power-of-two scalings.
        float[] xs = new float[bpr * cp], hxs = new float[bpr * p];
        for (int b = 0; b < bpr; b++) {
            float sum = 0;
            for (int r = 0; r < c && b * c + r < cols; r++) {
                float xr = x[xOff + b * c + r];
                sum += xr;
                for (int i = 0; i < p; i++) {
                    int j = r * p + i + 1;
                    xs[b * cp + j - 1] = Math.scalb(xr, -(j <= winMax ? j : j - k) - 16 - 4 * i + G);
                }
            }
            for (int i = 0; i < p; i++) hxs[b * p + i] = Math.scalb(sum, k - 1 - 16 - 4 * i + G);
        }
        int[] masks = new int[cp * LJ]; // state j's mask, LJ copies (a vector operand, not a broadcast per use)
        for (int j = 1; j <= cp; j++)
            Arrays.fill(masks, (j - 1) * LJ, j * LJ, ((1 << k) - 1) << (j <= winMax ? j : j - k));
        int groups = rowsPad / LJ, pairs = groups / 2;
        Parallel.forRange(0, pairs + groups % 2, 1, u -> {
            if (u < pairs) rowPairJump(2 * u * LJ, xs, hxs, masks, y, yOff, new int[4 * LJ]);
            else rowGroupJump((groups - 1) * LJ, xs, hxs, masks, y, yOff, new int[LJ]);
        });
    }

    /**
     * 8 (LJ) rows starting at o0, block by block; see {@link #rowPairJump}, which does the same for two groups.
     */
    private void rowGroupJump(int o0, float[] xs, float[] hxs, int[] masks, float[] y, int yOff, int[] idx) {
        final int c = this.c, p = this.p, k = kk, cp = c * p, winMax = 31 - k;
        final int[] jb = jump.bits, pk = packedBm;
        final FloatVector zero = FloatVector.zero(FJ);
        FloatVector acc = zero;
        for (int b = 0; b < bpr; b++) {
            IntVector v = IntVector.fromArray(IJ, pk, at(b, o0));
            IntVector s = v.and(0xFFFF);
            s.intoArray(idx, 0);
            IntVector nb = IntVector.fromArray(IJ, jb, 0, idx, 0);
            IntVector win = s.or(nb.lanewise(VectorOperators.LSHL, k));
            int xo = b * cp, ho = b * p, j = 1;
            FloatVector z0 = FloatVector.broadcast(FJ, -hxs[ho]),
                    z1 = p > 1 ? FloatVector.broadcast(FJ, -hxs[ho + 1]) : zero,
                    z2 = p > 2 ? FloatVector.broadcast(FJ, -hxs[ho + 2]) : zero;
            for (int r = 0; r < c; r++) {
                z0 = ((FloatVector) (j <= winMax ? win : nb)
                                .and(IntVector.fromArray(IJ, masks, LJ * (j - 1)))
                                .convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(FJ, xs[xo + j - 1]), z0);
                j++;
                if (p > 1) {
                    z1 = ((FloatVector) (j <= winMax ? win : nb)
                                    .and(IntVector.fromArray(IJ, masks, LJ * (j - 1)))
                                    .convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(FJ, xs[xo + j - 1]), z1);
                    j++;
                }
                if (p > 2) {
                    z2 = ((FloatVector) (j <= winMax ? win : nb)
                                    .and(IntVector.fromArray(IJ, masks, LJ * (j - 1)))
                                    .convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(FJ, xs[xo + j - 1]), z2);
                    j++;
                }
            }
            FloatVector blk = ((FloatVector) v.and(0xF << 16).convert(VectorOperators.I2F, 0))
                    .sub(8f * (1 << 16))
                    .mul(z0);
            if (p > 1)
                blk = ((FloatVector) v.and(0xF << 20).convert(VectorOperators.I2F, 0))
                        .sub(8f * (1 << 20))
                        .fma(z1, blk);
            if (p > 2)
                blk = ((FloatVector) v.and(0xF << 24).convert(VectorOperators.I2F, 0))
                        .sub(8f * (1 << 24))
                        .fma(z2, blk);
            acc = blk.fma(
                    v.lanewise(VectorOperators.LSHR, 5)
                            .and(0xF << 23)
                            .or(0x38000000)
                            .reinterpretAsFloats(),
                    acc);
        }
        acc = acc.mul(normScale * 0x1p7f / (1 << G));
        if (o0 + LJ <= rows) acc.intoArray(y, yOff + o0);
        else acc.intoArray(y, yOff + o0, FJ.indexInRange(o0, rows));
    }

    /**
     * Two 8-row groups (A, B) starting at o0, block by block; two independent sets of FMA chains.
     *
     * <p>Per block and group: one vector load of the packed ints; the jump words nb (index = register state s)
     * come from scalar table loads done one block ahead into idx (two slots). With a_0 a_1 … the register's
     * output sequence (a_0..a_{K−1} = s, then the feedback bits), win = s | nb &lt;&lt; K holds a_0..a_31 and nb holds a_K..a_{K+31}; state j of U is a_j..a_{j+K−1}, i.e. the
     * bits j..j+K−1 of win (j ≤ 31 − K) or j−K..j−1 of nb (j ≥ K). So win &amp; ((2^K−1) &lt;&lt; j) is
     * V_j·2^j as a positive int: no shift, one AND; its conversion to float is exact (K ≤ 24 significant bits),
     * and the 2^{−j} goes into x (xs). Each state costs AND, convert and FMA against a broadcast of xs:
     * z_i = Σ_r x_r·V[r][i] (times an exact power of two).
     *
     * <p>Per block then: code i is stored as q_i + 8 in bits 16+4i..19+4i, so (v &amp; 0xF &lt;&lt; 16+4i) converted
     * minus 8·2^{16+4i} is q_i·2^{16+4i} exactly (the 2^{−16−4i} is in xs and hxs as well); the exponent e + 8 in
     * bits 28..31 shifted to the float exponent field with the bias 112 is 2^{e−7}. The normalisation
     * (V − 2^{K−1})/(2^{K−1} − 1) is the accumulators' start value −hxs_i and one multiply per output.
     */
    private void rowPairJump(int o0, float[] xs, float[] hxs, int[] masks, float[] y, int yOff, int[] idx) {
        final int c = this.c, p = this.p, k = kk, cp = c * p, winMax = 31 - k;
        final int rWin = Math.min(c, winMax / p), rNb = Math.min(c, (winMax - 1) / p + 1);
        final int[] jb = jump.bits, pk = packedBm;
        final FloatVector zero = FloatVector.zero(FJ);
        FloatVector accA = zero, accB = zero;
        // jump words by scalar loads one block ahead (a vpgatherdd per group costs more on this CPU): idx holds two
        // slots of 2·LJ words, block b's in slot b & 1
        final int base = at(0, o0); // the pair's blocks are contiguous: block b at base + b·2·LJ
        for (int l = 0; l < 2 * LJ; l++) idx[l] = jb[pk[base + l] & 0xFFFF];
        for (int b = 0; b < bpr; b++) {
            if (b + 1 < bpr) {
                int nx = base + (b + 1) * 2 * LJ, so = (~b & 1) * 2 * LJ;
                for (int l = 0; l < 2 * LJ; l++) idx[so + l] = jb[pk[nx + l] & 0xFFFF];
            }
            int sl = (b & 1) * 2 * LJ;
            IntVector vA = IntVector.fromArray(IJ, pk, base + b * 2 * LJ),
                    vB = IntVector.fromArray(IJ, pk, base + b * 2 * LJ + LJ);
            IntVector sA = vA.and(0xFFFF), sB = vB.and(0xFFFF);
            IntVector nA = IntVector.fromArray(IJ, idx, sl), nB = IntVector.fromArray(IJ, idx, sl + LJ);
            IntVector wA = sA.or(nA.lanewise(VectorOperators.LSHL, k)),
                    wB = sB.or(nB.lanewise(VectorOperators.LSHL, k));
            int xo = b * cp, ho = b * p;
            // accumulators start at −2^{K−1}·Σx (scaled): z_i − hx_i without a subtraction per block
            FloatVector a0 = FloatVector.broadcast(FJ, -hxs[ho]),
                    a1 = p > 1 ? FloatVector.broadcast(FJ, -hxs[ho + 1]) : zero;
            FloatVector a2 = p > 2 ? FloatVector.broadcast(FJ, -hxs[ho + 2]) : zero, b0 = a0, b1 = a1, b2 = a2;
            // states 1..winMax are in the window, the later ones in the jump word: r < rWin all window, r ≥ rNb all
            // jump word
            for (int r = 0; r < rWin; r++) {
                int j = r * p;
                FloatVector x0 = FloatVector.broadcast(FJ, xs[xo + j]);
                IntVector m0 = IntVector.fromArray(IJ, masks, LJ * j++);
                a0 = ((FloatVector) wA.and(m0).convert(VectorOperators.I2F, 0)).fma(x0, a0);
                b0 = ((FloatVector) wB.and(m0).convert(VectorOperators.I2F, 0)).fma(x0, b0);
                if (p > 1) {
                    FloatVector x1 = FloatVector.broadcast(FJ, xs[xo + j]);
                    IntVector m1 = IntVector.fromArray(IJ, masks, LJ * j++);
                    a1 = ((FloatVector) wA.and(m1).convert(VectorOperators.I2F, 0)).fma(x1, a1);
                    b1 = ((FloatVector) wB.and(m1).convert(VectorOperators.I2F, 0)).fma(x1, b1);
                }
                if (p > 2) {
                    FloatVector x2 = FloatVector.broadcast(FJ, xs[xo + j]);
                    IntVector m2 = IntVector.fromArray(IJ, masks, LJ * j++);
                    a2 = ((FloatVector) wA.and(m2).convert(VectorOperators.I2F, 0)).fma(x2, a2);
                    b2 = ((FloatVector) wB.and(m2).convert(VectorOperators.I2F, 0)).fma(x2, b2);
                }
            }
            for (int r = rWin; r < rNb; r++) {
                int j = r * p;
                FloatVector x0 = FloatVector.broadcast(FJ, xs[xo + j]);
                IntVector m0 = IntVector.fromArray(IJ, masks, LJ * j++);
                a0 = ((FloatVector) (j <= winMax ? wA : nA).and(m0).convert(VectorOperators.I2F, 0)).fma(x0, a0);
                b0 = ((FloatVector) (j <= winMax ? wB : nB).and(m0).convert(VectorOperators.I2F, 0)).fma(x0, b0);
                if (p > 1) {
                    FloatVector x1 = FloatVector.broadcast(FJ, xs[xo + j]);
                    IntVector m1 = IntVector.fromArray(IJ, masks, LJ * j++);
                    a1 = ((FloatVector) (j <= winMax ? wA : nA).and(m1).convert(VectorOperators.I2F, 0)).fma(x1, a1);
                    b1 = ((FloatVector) (j <= winMax ? wB : nB).and(m1).convert(VectorOperators.I2F, 0)).fma(x1, b1);
                }
                if (p > 2) {
                    FloatVector x2 = FloatVector.broadcast(FJ, xs[xo + j]);
                    IntVector m2 = IntVector.fromArray(IJ, masks, LJ * j++);
                    a2 = ((FloatVector) (j <= winMax ? wA : nA).and(m2).convert(VectorOperators.I2F, 0)).fma(x2, a2);
                    b2 = ((FloatVector) (j <= winMax ? wB : nB).and(m2).convert(VectorOperators.I2F, 0)).fma(x2, b2);
                }
            }
            for (int r = rNb; r < c; r++) {
                int j = r * p;
                FloatVector x0 = FloatVector.broadcast(FJ, xs[xo + j]);
                IntVector m0 = IntVector.fromArray(IJ, masks, LJ * j++);
                a0 = ((FloatVector) nA.and(m0).convert(VectorOperators.I2F, 0)).fma(x0, a0);
                b0 = ((FloatVector) nB.and(m0).convert(VectorOperators.I2F, 0)).fma(x0, b0);
                if (p > 1) {
                    FloatVector x1 = FloatVector.broadcast(FJ, xs[xo + j]);
                    IntVector m1 = IntVector.fromArray(IJ, masks, LJ * j++);
                    a1 = ((FloatVector) nA.and(m1).convert(VectorOperators.I2F, 0)).fma(x1, a1);
                    b1 = ((FloatVector) nB.and(m1).convert(VectorOperators.I2F, 0)).fma(x1, b1);
                }
                if (p > 2) {
                    FloatVector x2 = FloatVector.broadcast(FJ, xs[xo + j]);
                    IntVector m2 = IntVector.fromArray(IJ, masks, LJ * j++);
                    a2 = ((FloatVector) nA.and(m2).convert(VectorOperators.I2F, 0)).fma(x2, a2);
                    b2 = ((FloatVector) nB.and(m2).convert(VectorOperators.I2F, 0)).fma(x2, b2);
                }
            }
            FloatVector blkA = ((FloatVector) vA.and(0xF << 16).convert(VectorOperators.I2F, 0))
                    .sub(8f * (1 << 16))
                    .mul(a0);
            FloatVector blkB = ((FloatVector) vB.and(0xF << 16).convert(VectorOperators.I2F, 0))
                    .sub(8f * (1 << 16))
                    .mul(b0);
            if (p > 1) {
                blkA = ((FloatVector) vA.and(0xF << 20).convert(VectorOperators.I2F, 0))
                        .sub(8f * (1 << 20))
                        .fma(a1, blkA);
                blkB = ((FloatVector) vB.and(0xF << 20).convert(VectorOperators.I2F, 0))
                        .sub(8f * (1 << 20))
                        .fma(b1, blkB);
            }
            if (p > 2) {
                blkA = ((FloatVector) vA.and(0xF << 24).convert(VectorOperators.I2F, 0))
                        .sub(8f * (1 << 24))
                        .fma(a2, blkA);
                blkB = ((FloatVector) vB.and(0xF << 24).convert(VectorOperators.I2F, 0))
                        .sub(8f * (1 << 24))
                        .fma(b2, blkB);
            }
            accA = blkA.fma(
                    vA.lanewise(VectorOperators.LSHR, 5)
                            .and(0xF << 23)
                            .or(0x38000000)
                            .reinterpretAsFloats(),
                    accA);
            accB = blkB.fma(
                    vB.lanewise(VectorOperators.LSHR, 5)
                            .and(0xF << 23)
                            .or(0x38000000)
                            .reinterpretAsFloats(),
                    accB);
        }
        float k2 = normScale * 0x1p7f / (1 << G);
        accA = accA.mul(k2);
        accB = accB.mul(k2);
        if (o0 + LJ <= rows) accA.intoArray(y, yOff + o0);
        else if (o0 < rows) accA.intoArray(y, yOff + o0, FJ.indexInRange(o0, rows));
        int o1 = o0 + LJ;
        if (o1 + LJ <= rows) accB.intoArray(y, yOff + o1);
        else if (o1 < rows) accB.intoArray(y, yOff + o1, FJ.indexInRange(o1, rows));
    }

    /** Batches: rebuild 16-row stripes once and apply them to every token. */
    private void forwardStripes(float[] x, int xOff, float[] y, int yOff, int batch) {
        final VectorSpecies<Float> fs = KernelSpecies.F;
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
                        acc = FloatVector.fromArray(fs, stripe, base + j)
                                .fma(FloatVector.fromArray(fs, x, xo + j), acc);
                    }
                    float sum = acc.reduceLanes(VectorOperators.ADD);
                    for (; j < cols; j++) sum += stripe[base + j] * x[xo + j];
                    y[yOff + tk * rows + o] = sum;
                }
            }
        });
    }
}
