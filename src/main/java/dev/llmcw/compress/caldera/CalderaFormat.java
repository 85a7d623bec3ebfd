package dev.llmcw.compress.caldera;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.compress.quant.BlockQuantizer;
import dev.llmcw.compress.quant.E8PLinear;
import dev.llmcw.compress.quant.E8PQuantizer;
import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.rtn.GroupQuantLinear;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Json;
import dev.llmcw.util.ModelLoadException;
import java.util.HashMap;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * CALDERA model files. Per compressed tensor N: {@code N.caldera.info} I32 [rows, stored cols, rank,
 * hadamard, input cols] (stored cols exceed the input width when zero-padded to a multiple of 8 for E8P), {@code N.caldera.g} F32 [1] (RMS scale), and the quantised matrices {@code N.caldera.Q},
 * {@code N.caldera.L}, {@code N.caldera.R} as written by {@link QuantizerIO} (scalar codes + FP16 scales, E8P 16-bit indices, or
 * BF16/F32 values for 16/32-bit factors), all in the rotated domain. The Hadamard transforms are
 * regenerated from the "seed" parameter in {@link CompressedFormat#KEY_PARAMS}. With {@code ft_rank} f > 0
 * (low-rank adaptation) the info holds a sixth int f, {@code N.caldera.Lft}/{@code N.caldera.Rft} hold the
 * leading f components of L and R as BF16 ({@link CalderaAdapter}) and L, R hold the remaining rank − f
 * (absent when nothing remains). Files without the sixth int load as before. Block-wise fine-tuning may store
 * the Hadamard sign vectors as F16 scales {@code N.caldera.SU}/{@code N.caldera.SV} ({@link HadamardScales});
 * files without them regenerate the signs from the seed as before.
 */
public final class CalderaFormat implements CompressedFormat {
    public static final CalderaFormat INSTANCE = new CalderaFormat("caldera");

    /** QuIP# files: the same layout under {@code N.quip-sharp.*} ({@link QuipSharpDescriptor}). */
    public static final CalderaFormat QUIP_SHARP = new CalderaFormat(QuipSharpDescriptor.ID);

    private final String method;

    private CalderaFormat(String method) {
        this.method = method;
    }

    @Override
    public String method() {
        return method;
    }

    /** A stored tensor read back. */
    /** @param cols stored (possibly zero-padded) width; {@code inCols} the layer's real input width */
    public record Stored(
            int rows,
            int cols,
            int rank,
            boolean hadamard,
            float g,
            BlockQuantizer q,
            BlockQuantizer l,
            BlockQuantizer r,
            int inCols,
            CalderaAdapter adapter) {
        /** Components of L and R kept on the factor grid (the rank without the 16-bit adapter). */
        public int quantizedRank() {
            return adapter == null ? rank : rank - adapter.ftRank();
        }
    }

    public static Stored read(SafetensorsFile f, String name) {
        return read(f, name, "caldera");
    }

    /** A tensor stored under {@code N.<method>.*}. */
    public static Stored read(SafetensorsFile f, String name, String method) {
        String p = name + "." + method + ".";
        int[] info = f.ints(p + "info");
        if (info.length < 4 || info.length > 6)
            throw new ModelLoadException(f.path(), p + "info must hold 5 or 6 ints");
        int inCols = info.length == 5 ? info[4] : info[1];
        if (inCols <= 0 || inCols > info[1])
            throw new ModelLoadException(f.path(), p + "info: input width " + inCols + " outside 1.." + info[1]);
        float g = f.tensor(p + "g").get(0);
        BlockQuantizer q = QuantizerIO.read(f, p + "Q");
        int ftRank = info.length == 6 ? info[5] : 0;
        if (ftRank < 0 || ftRank > info[2])
            throw new ModelLoadException(f.path(), p + "info: ft_rank " + ftRank + " outside 0.." + info[2]);
        BlockQuantizer l = info[2] > ftRank ? QuantizerIO.read(f, p + "L") : null;
        BlockQuantizer r = info[2] > ftRank ? QuantizerIO.read(f, p + "R") : null;
        CalderaAdapter adapter = ftRank > 0 ? readAdapter(f, p, ftRank) : null;
        return new Stored(info[0], info[1], info[2], info[3] != 0, g, q, l, r, inCols, adapter);
    }

    private static CalderaAdapter readAdapter(SafetensorsFile f, String p, int ftRank) {
        if (!(QuantizerIO.read(f, p + "Lft") instanceof FloatQuantizer l)
                || !(QuantizerIO.read(f, p + "Rft") instanceof FloatQuantizer r))
            throw new ModelLoadException(f.path(), p + "Lft and " + p + "Rft must hold 16-bit values");
        try {
            return new CalderaAdapter(ftRank, l, r);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(f.path(), p + "Lft/Rft: " + e.getMessage());
        }
    }

    /** The seed the Hadamard transforms are regenerated from (the "seed" method parameter). */
    public static long seed(SafetensorsFile f) {
        String p = f.metadata().get(KEY_PARAMS);
        if (p == null) throw new ModelLoadException(f.path(), "metadata has no " + KEY_PARAMS);
        var node = Json.read(p, JsonNode.class).get("seed");
        if (node == null) throw new ModelLoadException(f.path(), KEY_PARAMS + " has no seed");
        return Long.parseLong(node.asText());
    }

    /** Dense Ŵ of a stored tensor (row-major). */
    public static double[] decode(Stored s, long seed) {
        var a = DMatrixRMaj.wrap(s.rows(), s.cols(), s.q().decode());
        if (s.rank() > 0) {
            var lm = DMatrixRMaj.wrap(s.rows(), s.rank(), fullFactorL(s));
            var rm = DMatrixRMaj.wrap(s.rank(), s.cols(), fullFactorR(s));
            CommonOps_DDRM.addEquals(a, Dense.mult(lm, rm));
        }
        if (s.hadamard()) {
            RandomizedHadamard.unrotateWeight(a, Caldera.transform(seed, s.rows()), Caldera.transform(seed, s.cols()));
        }
        for (int i = 0; i < a.data.length; i++) a.data[i] *= s.g();
        if (s.inCols() == s.cols()) return a.data;
        double[] crop = new double[s.rows() * s.inCols()]; // drop the zero-padding columns
        for (int r = 0; r < s.rows(); r++) System.arraycopy(a.data, r * s.cols(), crop, r * s.inCols(), s.inCols());
        return crop;
    }

    @Override
    public Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly) {
        long seed = seed(file);
        Map<String, Linear> out = new HashMap<>();
        // one transform per width, shared by the layers (immutable; their work buffers are the caller's)
        Map<Integer, RandomizedHadamard> transforms = new HashMap<>();
        for (String name : WeightNames.blockLinearWeights(config.nLayers())) {
            if (!file.has(name + "." + method + ".info")) continue;
            Stored s = read(file, name, method);
            Linear l = linear(s, seed, onTheFly, transforms);
            HadamardScales scales = method.equals("caldera") ? HadamardScales.read(file, name, s) : null;
            if (scales != null) // stored SU/SV (block-wise fine-tuning) in place of the seeded signs
            l = new ScaledHadamardLinear(
                    l,
                    scales,
                    transforms.computeIfAbsent(s.rows(), n -> Caldera.transform(seed, n)),
                    transforms.computeIfAbsent(s.cols(), n -> Caldera.transform(seed, n)));
            out.put(name, l);
        }
        return out;
    }

    public static Linear linear(Stored s, long seed, boolean onTheFly) {
        return linear(s, seed, onTheFly, new HashMap<>());
    }

    private static Linear linear(Stored s, long seed, boolean onTheFly, Map<Integer, RandomizedHadamard> transforms) {
        if (!onTheFly) {
            double[] w = decode(s, seed);
            float[] f = new float[w.length];
            for (int i = 0; i < w.length; i++) f[i] = (float) w[i];
            return new DenseLinear(F32Tensor.of(f, s.rows(), s.inCols()));
        }
        Linear q = switch (s.q()) {
            case ScalarBlockQuantizer sq -> new GroupQuantLinear(sq.grid(), sq.codes(), "Q");
            case E8PQuantizer eq -> new E8PLinear(eq);
            default -> {
                double[] d = s.q().decode();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
                yield new DenseLinear(F32Tensor.of(f, s.rows(), s.cols()));
            }
        };
        FactorMatrix l = null, r = null;
        if (s.rank() > 0 && s.adapter() == null) { // the stored codes, unpacked inside the matvec
            l = FactorMatrix.of(s.l(), s.rows(), s.rank());
            r = FactorMatrix.of(s.r(), s.rank(), s.cols());
        } else if (s.rank() > 0) { // an adapter's BF16 columns first, then the rest: one decoded factor each
            l = FactorMatrix.ofValues(toFloats(fullFactorL(s)), s.rows(), s.rank());
            r = FactorMatrix.ofValues(toFloats(fullFactorR(s)), s.rank(), s.cols());
        }
        long bytes = QuantizerIO.storedBits(s.q()) / 8
                + (s.quantizedRank() > 0 ? (QuantizerIO.storedBits(s.l()) + QuantizerIO.storedBits(s.r())) / 8 : 0)
                + (s.adapter() != null ? s.adapter().storedBits() / 8 : 0)
                + 4;
        String label = s.q().label()
                + (s.quantizedRank() > 0 ? " + rank " + s.quantizedRank() + " " + s.l().label() : "")
                + (s.adapter() != null ? " + rank " + s.adapter().ftRank() + " bf16 (adaptable)" : "");
        var factors = new CalderaLinear.Factors(
                s.g(),
                s.hadamard() ? transforms.computeIfAbsent(s.rows(), n -> Caldera.transform(seed, n)) : null,
                s.hadamard() ? transforms.computeIfAbsent(s.cols(), n -> Caldera.transform(seed, n)) : null,
                q,
                l,
                r);
        return new CalderaLinear(s.rows(), s.cols(), s.inCols(), s.rank(), factors, bytes, label);
    }

    /** L with the adapter's columns first: rows × rank, row-major. */
    public static double[] fullFactorL(Stored s) {
        if (s.adapter() == null) return s.l().decode();
        int f = s.adapter().ftRank(), k = s.rank(), rest = k - f;
        double[] out = new double[s.rows() * k], top = s.adapter().l().decode();
        double[] low = rest > 0 ? s.l().decode() : null;
        for (int i = 0; i < s.rows(); i++) {
            System.arraycopy(top, i * f, out, i * k, f);
            if (rest > 0) System.arraycopy(low, i * rest, out, i * k + f, rest);
        }
        return out;
    }

    /** R with the adapter's rows first: rank × cols, row-major. */
    public static double[] fullFactorR(Stored s) {
        if (s.adapter() == null) return s.r().decode();
        double[] top = s.adapter().r().decode();
        if (s.quantizedRank() == 0) return top;
        double[] low = s.r().decode(), out = new double[top.length + low.length];
        System.arraycopy(top, 0, out, 0, top.length);
        System.arraycopy(low, 0, out, top.length, low.length);
        return out;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
