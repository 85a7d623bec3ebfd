package dev.llmcw.compress.seedlm;

import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;

/**
 * One weight matrix W[rows][cols] in SeedLM form. Flat layout (the paper's, default): the row-major weights
 * are cut into ⌈rows·cols / C⌉ blocks of C consecutive weights, only the last one zero-padded, so a preset's
 * bits per weight are exact whenever C divides rows·cols; a block may span two rows. Row layout (files from
 * before): each row is cut into ⌈cols / C⌉ blocks along the input dimension, the last one zero-padded per row
 * (a block never spans two rows); block b of row o has index o·blocksPerRow + b. When C divides cols both
 * layouts are the same blocks in the same order. Per block: the LFSR register
 * state (seed), the exponent e and P codes q; ŵ = scale · U(seed) · (q·2^e), scale = 1 unless the optional
 * per-tensor FP16 scale is on.
 *
 * <p>File layout under the canonical weight name N (all little-endian, packed to the honest size):
 * {@code N.seedlm.shape} I32[2] (rows, cols); {@code N.seedlm.seeds} U8, K bits per block, LSB first;
 * {@code N.seedlm.exponents} U8, 4 bits per block (e + 8), low nibble first; {@code N.seedlm.codes} U8,
 * 4-bit two's complement, P per block in block order, low nibble first; {@code N.seedlm.scale} F16[1] only
 * with the per-tensor scale.
 */
public final class SeedLmTensor {
    public static final String PART = ".seedlm.";
    private final int rows, cols, blocksPerRow;
    private final SeedLmConfig cfg;
    private final int[] seeds;
    private final byte[] exponents, codes;
    private final float scale;

    public SeedLmTensor(
            int rows, int cols, SeedLmConfig cfg, int[] seeds, byte[] exponents, byte[] codes, float scale) {
        this.rows = rows;
        this.cols = cols;
        this.cfg = cfg;
        this.blocksPerRow = blocksPerRow(cols, cfg);
        int nb = (int) blocks(rows, cols, cfg);
        if (seeds.length != nb || exponents.length != nb || codes.length != nb * cfg.p()) {
            throw new IllegalArgumentException("SeedLM tensor " + rows + "x" + cols + " needs " + nb + " blocks");
        }
        this.seeds = seeds;
        this.exponents = exponents;
        this.codes = codes;
        this.scale = scale;
    }

    /** Blocks per row of the row layout (and of the flat one when {@link #rowAligned}). */
    public static int blocksPerRow(int cols, SeedLmConfig cfg) {
        return (cols + cfg.c() - 1) / cfg.c();
    }

    /** Blocks of a rows×cols tensor in the config's layout. */
    public static long blocks(long rows, long cols, SeedLmConfig cfg) {
        return cfg.flat() ? (rows * cols + cfg.c() - 1) / cfg.c() : rows * ((cols + cfg.c() - 1) / cfg.c());
    }

    /** Zero weights padding the blocks to whole blocks (flat: only the last block's; row: every row's). */
    public static long paddingWeights(long rows, long cols, SeedLmConfig cfg) {
        return blocks(rows, cols, cfg) * cfg.c() - rows * cols;
    }

    /**
     * Whether block o·blocksPerRow + b holds exactly row o's weights b·C.. (row layout, or flat with C dividing
     * cols): the row-wise matvec kernels need it.
     */
    public boolean rowAligned() {
        return !cfg.flat() || cols % cfg.c() == 0;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int blocksPerRow() {
        return blocksPerRow;
    }

    public int blocks() {
        return seeds.length;
    }

    public SeedLmConfig config() {
        return cfg;
    }

    public float scale() {
        return scale;
    }

    public int seed(int block) {
        return seeds[block];
    }

    public int exponent(int block) {
        return exponents[block];
    }

    public int code(int block, int i) {
        return codes[block * cfg.p() + i];
    }

    /** Bytes of this tensor in the file (packed seeds, exponents, codes, shape, optional scale). */
    public static long fileBytes(long rows, long cols, SeedLmConfig cfg) {
        return payloadBytes(rows, cols, cfg) + 8;
    }

    /**
     * Bytes of the weights' encoding: packed seeds, exponents, codes and the optional scale; without the
     * 8-byte shape entry, which (like RTN's and GPTQ's grid headers) is bookkeeping, not per-weight bits.
     */
    public static long payloadBytes(long rows, long cols, SeedLmConfig cfg) {
        long nb = blocks(rows, cols, cfg);
        return (nb * cfg.k() + 7) / 8 + (nb + 1) / 2 + (nb * cfg.p() + 1) / 2 + (cfg.perTensorScale() ? 2 : 0);
    }

    /** Decodes all weights (row-major rows×cols). Deterministic: the file round trip reproduces it bit for bit. */
    public float[] decode() {
        float[] out = new float[rows * cols];
        int c = cfg.c(), p = cfg.p(), k = cfg.k(), mask = Lfsr.tapMask(k);
        double[] u = new double[c * p], t = new double[p];
        for (int blk = 0; blk < seeds.length; blk++) {
            // first weight of the block and how many it holds (the rest is padding)
            int start, len;
            if (cfg.flat()) {
                start = blk * c;
                len = Math.min(c, out.length - start);
            } else {
                int o = blk / blocksPerRow, b = blk % blocksPerRow;
                start = o * cols + b * c;
                len = Math.min(c, cols - b * c);
            }
            int s = seeds[blk];
            for (int i = 0; i < u.length; i++) {
                s = Lfsr.step(s, k, mask);
                u[i] = Lfsr.normalise(s, k);
            }
            for (int i = 0; i < p; i++) t[i] = CoefficientQuantizer.value(codes[blk * p + i], exponents[blk]);
            for (int r = 0; r < len; r++) {
                double v = 0;
                for (int i = 0; i < p; i++) v += u[r * p + i] * t[i];
                out[start + r] = (float) (scale * v);
            }
        }
        return out;
    }

    public void writeTo(SafetensorsWriter w, String name) {
        w.addInts(name + PART + "shape", new long[] {2}, new int[] {rows, cols});
        byte[] s = packBits(seeds, cfg.k());
        w.addBytes(name + PART + "seeds", new long[] {s.length}, s);
        byte[] e = new byte[exponents.length];
        for (int i = 0; i < e.length; i++) e[i] = (byte) (exponents[i] + 8);
        byte[] ep = packNibbles(e);
        w.addBytes(name + PART + "exponents", new long[] {ep.length}, ep);
        byte[] cp = packNibbles(codes);
        w.addBytes(name + PART + "codes", new long[] {cp.length}, cp);
        if (cfg.perTensorScale()) w.add(name + PART + "scale", DType.F16, new long[] {1}, new float[] {scale});
    }

    public static SeedLmTensor read(SafetensorsFile f, String name, SeedLmConfig cfg) {
        Path path = f.path();
        int[] shape = f.ints(name + PART + "shape");
        if (shape.length != 2 || shape[0] <= 0 || shape[1] <= 0)
            throw new ModelLoadException(path, name + ": bad SeedLM shape");
        int nb = (int) blocks(shape[0], shape[1], cfg);
        byte[] s = f.byteArray(name + PART + "seeds"),
                ep = f.byteArray(name + PART + "exponents"),
                cp = f.byteArray(name + PART + "codes");
        if (s.length != (long) (nb * (long) cfg.k() + 7) / 8
                || ep.length != (nb + 1) / 2
                || cp.length != (nb * cfg.p() + 1) / 2) {
            throw new ModelLoadException(path, name + ": SeedLM arrays do not match " + nb + " blocks of " + cfg);
        }
        int[] seeds = unpackBits(s, cfg.k(), nb);
        for (int i = 0; i < nb; i++) {
            if (seeds[i] == 0)
                throw new ModelLoadException(path, name + ": block " + i + " has the all-zero LFSR state");
        }
        byte[] e = unpackNibbles(ep, nb, false);
        for (int i = 0; i < nb; i++) e[i] -= 8;
        byte[] q = unpackNibbles(cp, nb * cfg.p(), true);
        float scale = 1f;
        if (cfg.perTensorScale()) scale = f.tensor(name + PART + "scale").get(0);
        return new SeedLmTensor(shape[0], shape[1], cfg, seeds, e, q, scale);
    }

    static byte[] packBits(int[] v, int k) {
        byte[] out = new byte[(int) (((long) v.length * k + 7) / 8)];
        long bit = 0;
        for (int x : v) {
            for (int i = 0; i < k; i++, bit++) {
                if ((x >>> i & 1) != 0) out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
            }
        }
        return out;
    }

    static int[] unpackBits(byte[] a, int k, int n) {
        int[] out = new int[n];
        long bit = 0;
        for (int j = 0; j < n; j++) {
            int x = 0;
            for (int i = 0; i < k; i++, bit++) x |= (a[(int) (bit >>> 3)] >>> (bit & 7) & 1) << i;
            out[j] = x;
        }
        return out;
    }

    static byte[] packNibbles(byte[] v) {
        byte[] out = new byte[(v.length + 1) / 2];
        for (int i = 0; i < v.length; i++) out[i >> 1] |= (byte) ((v[i] & 0xF) << ((i & 1) * 4));
        return out;
    }

    static byte[] unpackNibbles(byte[] a, int n, boolean signed) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            int x = a[i >> 1] >>> ((i & 1) * 4) & 0xF;
            out[i] = (byte) (signed && x >= 8 ? x - 16 : x);
        }
        return out;
    }
}
