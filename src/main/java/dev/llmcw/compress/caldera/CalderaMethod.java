package dev.llmcw.compress.caldera;

import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.calibration.HessianSet;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.model.Model;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ejml.data.DMatrixRMaj;

/**
 * CALDERA over the block linears of a model, with calibration statistics from the original model. QuIP#
 * ({@link QuipSharpMethod}) is this method at rank 0 under its own name.
 */
public class CalderaMethod extends PerTensorCompression {
    private final String method;
    private final CalderaOptions options;
    private final CalibrationSpec calibration;
    private HessianSet hessians;
    private final Map<String, PreparedHessian> prepared = new HashMap<>();
    private int ftRank; // leading components of L and R kept in BF16 for low-rank adaptation (0 = none)

    public CalderaMethod(CalderaOptions options, CalibrationSpec calibration) {
        this("caldera", options, calibration);
    }

    /** @param method the name files and results carry, and the prefix of the stored entries */
    protected CalderaMethod(String method, CalderaOptions options, CalibrationSpec calibration) {
        this.method = method;
        this.options = options;
        this.calibration = calibration;
    }

    public CalderaOptions options() {
        return options;
    }

    /** Keeps the leading {@code k} components of L and R in BF16 ({@link CalderaAdapter}); 0 = none. */
    public CalderaMethod withFtRank(int k) {
        if (k < 0) throw new IllegalArgumentException("CALDERA ft_rank must be ≥ 0: " + k);
        if (k > options.rank())
            throw new IllegalArgumentException(
                    "CALDERA ft_rank " + k + " exceeds the rank " + options.rank() + " (it adapts part of L·R)");
        if (k > 0 && options.latticeFactors() && k % 8 != 0 && k != options.rank())
            throw new IllegalArgumentException("CALDERA ft_rank " + k
                    + " must be a multiple of 8 with E8P lattice factors (the rest stays in blocks of 8)");
        this.ftRank = k;
        return this;
    }

    public int ftRank() {
        return ftRank;
    }

    /** The adapted components a rows×cols matrix gets: at most its (capped) rank. */
    private int ftRank(int k) {
        return Math.min(ftRank, k);
    }

    @Override
    public String name() {
        return method;
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>(options.asMap());
        if (ftRank > 0) m.put("ft_rank", Integer.toString(ftRank)); // absent at 0: earlier records stay as they were
        m.put("calibration", calibration.describe());
        m.put("lplr_root", "cholesky");
        m.put("hadamard_odd_block", "random-orthogonal");
        return m;
    }

    @Override
    protected String convention() {
        String lr = switch (options.lrGrid()) {
            case CalderaOptions.TENSOR -> "one FP16 scale and zero per factor";
            case CalderaOptions.GROUP -> "FP16 scale and zero per " + options.lrGroup() + " factor weights of a row";
            default -> "per-row FP16 scale and zero of the factors";
        };
        return "B_Q + B_LR·k·(m+n)/(m·n) + per-row FP16 scale and zero of Q (scalar grids; " + lr
                + ") or one F32 scale per "
                + "matrix (E8P) + one F32 RMS scale per matrix; Hadamard transforms regenerated from a seed (0 bits)";
    }

    protected CalibrationSpec calibration() {
        return calibration;
    }

    @Override
    protected CalibrationSpec calibrationSpec() {
        return calibration;
    }

    @Override
    protected long tensorBits(int rows, int cols) {
        int k = options.effectiveRank(rows, cols);
        cols = storedCols(cols);
        long bits = options.quantizer().equals("e8p")
                ? (long) rows * cols * 2 + 32
                : QuantizerIO.scalarBits(rows, cols, options.qBits(), cols, false);
        int f = ftRank(k);
        if (k > f) bits += factorBits(rows, k - f) + factorBits(k - f, cols);
        if (f > 0) bits += 16L * f * (rows + cols); // the BF16 adapter
        return bits + 32 + (f > 0 ? 6 : 5) * 32; // RMS scale, the 5-int tensor header (6 with an adapter)
    }

    private long factorBits(int rows, int cols) {
        int b = options.lrBits();
        if (b == 16 || b == 32) return (long) rows * cols * b;
        if (options.latticeFactors()) return (long) rows * cols * b + 32;
        return switch (options.lrGrid()) {
            case CalderaOptions.TENSOR ->
                QuantizerIO.scalarBits(1, rows * cols, b, rows * cols, false); // one scale and zero
            case CalderaOptions.GROUP -> QuantizerIO.scalarBits(rows, cols, b, options.lrGroup(), false);
            default -> QuantizerIO.scalarBits(rows, cols, b, cols, false);
        };
    }

    /** Matrices smaller than the rank get min(rows, cols) instead ({@link CalderaOptions#effectiveRank}): said once per run. */
    @Override
    protected List<String> warnings(Model model) {
        Map<String, Integer> capped = new TreeMap<>();
        for (String n : targets(model)) {
            var t = model.tensor(n);
            int k = options.effectiveRank(t.rows(), t.cols());
            if (k != options.rank()) capped.merge(t.rows() + "×" + t.cols() + " → rank " + k, 1, Integer::sum);
        }
        if (capped.isEmpty()) return List.of();
        StringBuilder sb = new StringBuilder(
                "CALDERA rank " + options.rank() + " exceeds some matrices' min(rows, cols), capped there: ");
        capped.forEach(
                (shape, count) -> sb.append(count).append(" × ").append(shape).append(", "));
        sb.setLength(sb.length() - 2);
        return List.of(sb.append(" (bits counted at the capped rank)").toString());
    }

    @Override
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        hessians = calibration.obtain(model, progress, cancel);
    }

    /** E8P works on blocks of 8 columns: other widths are padded with zero columns (see {@link #compressTensor}). */
    private int storedCols(int cols) {
        return options.quantizer().equals("e8p") ? (cols + 7) / 8 * 8 : cols;
    }

    @Override
    protected Outcome compressTensor(
            Model model,
            String name,
            float[] w,
            int rows,
            int cols,
            SafetensorsWriter part,
            ProgressListener progress,
            CancellationToken cancel) {
        String key = HessianSet.groupKey(name);
        int pc = storedCols(cols);
        PreparedHessian ph = prepared.get(key);
        DMatrixRMaj regH = hessians.forWeight(name).regularisedForCaldera();
        if (ph == null) {
            prepared.clear(); // groups come in order: keep only the current one in memory
            ph = Caldera.prepare(pad(regH, pc), options);
            prepared.put(key, ph);
        }
        int k = options.effectiveRank(rows, cols);
        CalderaOptions o = k == options.rank() ? options : options.withRank(k);
        double[] wd = new double[rows * pc];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) wd[r * pc + c] = w[r * cols + c];
        CalderaResult r = Caldera.decompose(wd, rows, pc, ph, o, name, progress, cancel);
        double[] hat;
        if (ftRank(k) > 0) { // only CALDERA proper has an adapter (QuIP# is rank 0)
            var stored = adapted(r, cols, ftRank(k));
            write(part, name, stored);
            hat = CalderaFormat.decode(stored, options.seed());
        } else {
            write(part, name, r, cols, method);
            double[] full = r.decode();
            hat = new double[rows * cols];
            for (int i = 0; i < rows; i++) System.arraycopy(full, i * pc, hat, i * cols, cols);
        }
        // Errors of the stored matrix against W and the (unpadded) regularised H.
        double rel = relativeError(w, hat), act = relativeActivationError(w, hat, rows, cols, regH);
        progress.log(String.format(
                "%s: %s, activation error %.5f (best of %d at %d), frobenius %.5f, %.1fs",
                name, r.quantizerLabel(), act, r.history().size(), r.bestIteration() + 1, rel, r.seconds()));
        return new Outcome(rel, act);
    }

    /**
     * H padded to {@code size} with an identity block: padding columns of W are zero and their inputs are
     * zero at inference, so how they are approximated does not matter; the identity keeps H definite.
     * Deviation: QuIP#/CALDERA only handle widths divisible by 8 for E8P.
     */
    static DMatrixRMaj pad(DMatrixRMaj h, int size) {
        if (h.numRows == size) return h;
        DMatrixRMaj p = new DMatrixRMaj(size, size);
        for (int i = 0; i < h.numRows; i++) System.arraycopy(h.data, i * h.numCols, p.data, i * size, h.numCols);
        for (int i = h.numRows; i < size; i++) p.set(i, i, 1);
        return p;
    }

    /** The decomposition with its leading {@code f} components split off into a BF16 adapter. */
    private CalderaFormat.Stored adapted(CalderaResult r, int cols, int f) {
        var split = CalderaAdapter.split(r, f, r.options());
        return new CalderaFormat.Stored(
                r.rows(),
                r.cols(),
                r.options().rank(),
                r.hadamard(),
                (float) r.scale(),
                r.qQuant(),
                split.lRest(),
                split.rRest(),
                cols,
                split.adapter());
    }

    /** Writes a matrix with a low-rank adapter ({@link CalderaFormat}: six info ints, Lft and Rft in BF16). */
    public static void write(SafetensorsWriter part, String name, CalderaFormat.Stored s) {
        String p = name + ".caldera.";
        int f = s.adapter() == null ? 0 : s.adapter().ftRank();
        part.addInts(
                p + "info", new long[] {6}, new int[] {s.rows(), s.cols(), s.rank(), s.hadamard() ? 1 : 0, s.inCols(), f
                });
        part.add(p + "g", DType.F32, new long[] {1}, new float[] {s.g()});
        QuantizerIO.write(part, p + "Q", s.q());
        if (s.quantizedRank() > 0) {
            QuantizerIO.write(part, p + "L", s.l());
            QuantizerIO.write(part, p + "R", s.r());
        }
        if (f > 0) {
            QuantizerIO.write(part, p + "Lft", s.adapter().l());
            QuantizerIO.write(part, p + "Rft", s.adapter().r());
        }
    }

    public static void write(SafetensorsWriter part, String name, CalderaResult r) {
        write(part, name, r, r.cols());
    }

    /** @param cols the original width (≤ r.cols() when zero-padded for E8P) */
    public static void write(SafetensorsWriter part, String name, CalderaResult r, int cols) {
        write(part, name, r, cols, "caldera");
    }

    /** As {@link #write(SafetensorsWriter, String, CalderaResult, int)} with entries named {@code N.<method>.*}. */
    static void write(SafetensorsWriter part, String name, CalderaResult r, int cols, String method) {
        String p = name + "." + method + ".";
        part.addInts(p + "info", new long[] {5}, new int[] {
            r.rows(), r.cols(), r.options().rank(), r.hadamard() ? 1 : 0, cols
        });
        part.add(p + "g", DType.F32, new long[] {1}, new float[] {(float) r.scale()});
        QuantizerIO.write(part, p + "Q", r.qQuant());
        if (r.lQuant() != null) {
            QuantizerIO.write(part, p + "L", r.lQuant());
            QuantizerIO.write(part, p + "R", r.rQuant());
        }
    }
}
