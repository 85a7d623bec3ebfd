package dev.llmcw.cli;

import dev.llmcw.compress.caldera.Caldera;
import dev.llmcw.compress.caldera.CalderaDescriptor;
import dev.llmcw.compress.caldera.CalderaMethod;
import dev.llmcw.compress.caldera.CalderaOptions;
import dev.llmcw.compress.caldera.PreparedHessian;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.synthetic.SyntheticModelGenerator;
import dev.llmcw.model.synthetic.SyntheticPresets;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times CALDERA on SmolLM2-135M shapes (hidden 576, intermediate 1536, kv 192, 30 layers).
 *
 * <p>{@code --whole-model} runs the real end-to-end path, exactly what {@code compress --method caldera}
 * runs: a SYNTHETIC SmolLM2-135M-shaped HF model (written with the synth generator unless {@code --model}
 * names one) is calibrated on real TinyStories text through the engine, then every block linear (30×7)
 * is compressed; it reports calibration, per-matrix-type and total wall and CPU time. Nothing is
 * extrapolated.
 *
 * <p>Without it, one layer (or {@code --time-layers}) is timed with random Gaussian weights and a
 * random SPD H (AR(1) correlation 0.9 with random per-channel scales, regularised like calibration
 * statistics), and the whole model is EXTRAPOLATED: right for timing, meaningless for quality.
 */
@Command(
        name = "caldera-bench",
        mixinStandardHelpOptions = true,
        description =
                "Time CALDERA on a SYNTHETIC SmolLM2-135M-shaped model: --whole-model calibrates and compresses every layer "
                        + "(measured end to end); otherwise one layer with a synthetic H, extrapolated.")
final class CalderaBenchCommand implements Callable<Integer> {
    @Option(
            names = "--whole-model",
            description = "calibrate on real text and compress the whole (synthetic) model; report measured times")
    boolean wholeModel;

    @Option(
            names = "--model",
            description =
                    "--whole-model: model folder/file to compress (default: generate the SYNTHETIC smollm2-135m preset in a temporary folder)")
    Path model;

    @Option(
            names = "--synth-layers",
            description = "--whole-model without --model: layers of the generated model (default: the preset's 30)")
    Integer synthLayers;

    @Option(
            names = "--calib",
            description =
                    "--whole-model: calibration text (default: $WORKBENCH_DATA/datasets/tinystories/tinystories_val_subset.txt)")
    Path calib;

    @Option(names = "--calib-seqs", defaultValue = "8", description = "--whole-model: calibration sequences")
    int calibSeqs;

    @Option(names = "--calib-len", defaultValue = "256", description = "--whole-model: tokens per calibration sequence")
    int calibLen;

    @Option(
            names = "--out",
            description = "--whole-model: compressed file to write (default: a temporary file, deleted)")
    Path out;

    @Option(names = "--hidden", defaultValue = "576")
    int hidden;

    @Option(names = "--intermediate", defaultValue = "1536")
    int intermediate;

    @Option(names = "--kv-dim", defaultValue = "192")
    int kvDim;

    @Option(names = "--layers", defaultValue = "30", description = "layers of the whole model (for extrapolation)")
    int layers;

    @Option(names = "--time-layers", defaultValue = "1", description = "layers actually compressed and timed")
    int timeLayers;

    @Option(names = "--rank", description = "default: compress's")
    Integer rank;

    @Option(names = "--q-bits", description = "default: compress's")
    Integer qBits;

    @Option(names = "--lr-bits", description = "default: compress's")
    Integer lrBits;

    @Option(
            names = "--outer-iters",
            defaultValue = "" + CalderaOptions.FAST_OUTER_ITERS,
            description = "outer iterations (default ${DEFAULT-VALUE}; official 20)")
    int outer;

    @Option(
            names = "--inner-iters",
            defaultValue = "" + CalderaOptions.FAST_INNER_ITERS,
            description = "inner iterations (default ${DEFAULT-VALUE}; official 50)")
    int inner;

    @Option(names = "--quantizer", description = "default: compress's")
    String quantizer;

    @Option(names = "--no-hadamard")
    boolean noHadamard;

    @Option(names = "--exact-svd")
    boolean exactSvd;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--linalg", description = "also time our Vector API products against EJML")
    boolean linalg;

    @Override
    public Integer call() throws Exception {
        Parallel.setThreads(threads);
        // compress's defaults (CalderaDescriptor) except the fast iterations and a fixed seed
        Map<String, String> params = new LinkedHashMap<>();
        if (rank != null) params.put("rank", rank.toString());
        if (qBits != null) params.put("q_bits", qBits.toString());
        if (lrBits != null) params.put("lr_bits", lrBits.toString());
        if (quantizer != null) params.put("quantizer", quantizer);
        params.put("outer_iters", Integer.toString(outer));
        params.put("inner_iters", Integer.toString(inner));
        params.put("hadamard", Boolean.toString(!noHadamard));
        params.put("seed", "1");
        params.put("exact_svd", Boolean.toString(exactSvd));
        var o = CalderaDescriptor.options(params);
        if (wholeModel) return wholeModel(o);
        System.out.printf(
                "SYNTHETIC model: hidden %d, intermediate %d, kv %d, %d layers; random weights, random SPD H; %d threads%n",
                hidden, intermediate, kvDim, layers, threads);
        System.out.println("options: " + o.asMap());
        if (linalg) linalgBench();
        String[] names = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        int[][] shapes = {
            {hidden, hidden},
            {kvDim, hidden},
            {kvDim, hidden},
            {hidden, hidden},
            {intermediate, hidden},
            {intermediate, hidden},
            {hidden, intermediate}
        };
        double total = 0;
        double cpu0 = ProcessStats.cpuSeconds();
        for (int layer = 0; layer < timeLayers; layer++) {
            double layerSec = 0;
            PreparedHessian attnIn = null, mlpIn = null;
            for (int i = 0; i < names.length; i++) {
                int m = shapes[i][0], n = shapes[i][1];
                long t0 = System.nanoTime();
                PreparedHessian ph;
                if (i <= 2) ph = attnIn == null ? (attnIn = Caldera.prepare(spdH(n, 10L * layer + 1), o)) : attnIn;
                else if (i == 3) ph = Caldera.prepare(spdH(n, 10L * layer + 2), o);
                else if (i <= 5) ph = mlpIn == null ? (mlpIn = Caldera.prepare(spdH(n, 10L * layer + 3), o)) : mlpIn;
                else ph = Caldera.prepare(spdH(n, 10L * layer + 4), o);
                double prep = (System.nanoTime() - t0) / 1e9;
                double[] w = randomW(m, n, 100L * layer + i);
                var r = Caldera.decompose(w, m, n, ph, o, names[i], null, null);
                double sec = (System.nanoTime() - t0) / 1e9;
                layerSec += sec;
                System.out.printf(
                        "layer %d %-9s %4d×%-4d  %7.2fs (H prep %.2fs)  act.err %.4f  %s%n",
                        layer, names[i], m, n, sec, prep, r.activationError(), r.quantizerLabel());
            }
            System.out.printf("layer %d total %.1fs%n", layer, layerSec);
            total += layerSec;
        }
        double perLayer = total / timeLayers;
        // On a shared machine wall time overstates the cost; process CPU time / threads is what an idle
        // machine with that many cores would take (the kernels keep all threads busy).
        double cpuPerLayer = (ProcessStats.cpuSeconds() - cpu0) / timeLayers;
        System.out.printf(
                "CPU time %.1fs per layer → ≈ %.1fs per layer on %d idle cores; whole model ≈ %.1f min (EXTRAPOLATED from CPU time)%n",
                cpuPerLayer, cpuPerLayer / threads, threads, cpuPerLayer / threads * layers / 60);
        System.out.printf(
                "measured %d layer(s): %.1fs per layer; whole %d-layer model %s %.1f min%n",
                timeLayers, perLayer, layers, timeLayers == layers ? "=" : "≈ (EXTRAPOLATED)", perLayer * layers / 60);
        return 0;
    }

    /** The end-to-end path of {@code compress --method caldera}, timed per tensor. */
    private int wholeModel(CalderaOptions o) throws Exception {
        Path tmp = Files.createTempDirectory("caldera-bench");
        try {
            Path dir = model;
            if (dir == null) {
                ModelConfig config = SyntheticPresets.customize(
                        SyntheticPresets.get("smollm2-135m"), null, null, synthLayers, null, null, null);
                dir = tmp.resolve("synthetic-smollm2-135m");
                long g0 = System.nanoTime();
                SyntheticModelGenerator.generate(
                        config, "smollm2-135m", DType.BF16, 42, dir, ProgressListener.NONE, CancellationToken.none());
                System.out.printf(
                        Locale.ROOT,
                        "generated SYNTHETIC smollm2-135m (%d layers) in %s, %.1f s%n",
                        config.nLayers(),
                        dir,
                        (System.nanoTime() - g0) / 1e9);
            }
            Path text = calib != null ? calib : DataPaths.shared("datasets/tinystories/tinystories_val_subset.txt");
            Model src = ModelLoader.load(dir);
            var method = new CalderaMethod(o, CalibrationSpec.of(text, calibSeqs, calibLen, null));
            var est = method.estimate(src);
            System.out.printf(
                    Locale.ROOT,
                    "%s: %s; calibration %s, %d × %d tokens; %d threads%n",
                    src.label(),
                    src.config().nLayers() + " layers",
                    text.getFileName(),
                    calibSeqs,
                    calibLen,
                    threads);
            System.out.println("options: " + o.asMap());
            System.out.printf(
                    Locale.ROOT,
                    "%,d compressed weights at %.4f bits/weight%n",
                    est.compressedParams(),
                    est.bitsPerCompressedWeight());
            Path file = out != null ? out : tmp.resolve("compressed.safetensors");
            double load0 = ProcessStats.loadAverage(), cpu0 = ProcessStats.cpuSeconds();
            long t0 = System.nanoTime();
            ProgressListener progress = new ProgressListener() {
                long last;

                @Override
                public synchronized void update(String stage, long done, long total, String message) {
                    if (total < 0) {
                        System.out.println(stage);
                        return;
                    }
                    long now = System.nanoTime();
                    if (stage.startsWith("caldera ")) return; // per-iteration detail: too chatty here
                    if (done == total || now - last > 2_000_000_000L || stage.equals("caldera")) {
                        last = now;
                        System.out.printf(
                                Locale.ROOT, "  [%6.1fs] %s %d/%d %s%n", (now - t0) / 1e9, stage, done, total, message);
                    }
                }
            };
            var report = method.compress(src, file, tmp.resolve("work"), progress, CancellationToken.none());
            double wall = (System.nanoTime() - t0) / 1e9, cpu = ProcessStats.cpuSeconds() - cpu0;
            double load1 = ProcessStats.loadAverage();
            // Per matrix type.
            Map<String, double[]> byType = new LinkedHashMap<>(); // count, wall, cpu, act.err sum
            var errors = report.tensorErrors();
            var timings = method.timings();
            for (int i = 0; i < timings.size(); i++) {
                var t = timings.get(i);
                String type = t.name()
                        .replaceAll("^model\\.layers\\.\\d+\\.(self_attn|mlp)\\.", "")
                        .replace(".weight", "");
                double[] acc = byType.computeIfAbsent(type + " " + t.rows() + "×" + t.cols(), k -> new double[4]);
                acc[0]++;
                acc[1] += t.wallSeconds();
                acc[2] += t.cpuSeconds();
                acc[3] += errors.get(i).relativeActivationError();
            }
            System.out.println();
            System.out.println(
                    "| matrix | count | wall s / matrix | CPU s / matrix | wall s total | CPU s total | mean act. error |");
            System.out.println("|---|---|---|---|---|---|---|");
            double tw = 0, tc = 0;
            for (var e : byType.entrySet()) {
                double[] a = e.getValue();
                tw += a[1];
                tc += a[2];
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d | %.2f | %.2f | %.1f | %.1f | %.4f |%n",
                        e.getKey(),
                        (int) a[0],
                        a[1] / a[0],
                        a[2] / a[0],
                        a[1],
                        a[2],
                        a[3] / a[0]);
            }
            int layersDone = src.config().nLayers();
            System.out.printf(
                    Locale.ROOT,
                    "| calibration (%d × %d tokens, H of %d groups) | 1 | | | %.1f | %.1f | |%n",
                    calibSeqs,
                    calibLen,
                    4 * layersDone,
                    method.prepareWallSeconds(),
                    method.prepareCpuSeconds());
            System.out.printf(
                    Locale.ROOT,
                    "| all %d matrices | %d | | | %.1f | %.1f | |%n",
                    timings.size(),
                    timings.size(),
                    tw,
                    tc);
            System.out.printf(
                    Locale.ROOT, "%nper layer (mean): %.1f s wall, %.1f s CPU%n", tw / layersDone, tc / layersDone);
            System.out.printf(
                    Locale.ROOT,
                    "WHOLE MODEL (measured, calibration + %d matrices + writing): %.1f s = %.2f min wall, %.1f s CPU "
                            + "(CPU / %d threads = %.2f min)%n",
                    timings.size(),
                    wall,
                    wall / 60,
                    cpu,
                    threads,
                    cpu / threads / 60);
            System.out.printf(
                    Locale.ROOT,
                    "load average (1 min) %.2f at start, %.2f at end, on %d cores%n",
                    load0,
                    load1,
                    Runtime.getRuntime().availableProcessors());
            if (out == null) Files.deleteIfExists(file);
            return 0;
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(Comparator.reverseOrder())
                        .forEach(pth -> pth.toFile().delete());
            }
        }
    }

    static double[] randomW(int m, int n, long seed) {
        Random r = new Random(seed);
        double[] w = new double[m * n];
        for (int i = 0; i < w.length; i++) w[i] = 0.02 * r.nextGaussian();
        return w;
    }

    /** D·T·D with T_ij = 0.9^|i−j| and random positive D, then mean-diag normalised + 0.01·I. */
    static DMatrixRMaj spdH(int n, long seed) {
        Random r = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = Math.exp(r.nextGaussian());
        DMatrixRMaj h = new DMatrixRMaj(n, n);
        double mean = 0;
        for (int i = 0; i < n; i++) mean += d[i] * d[i] / n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) h.set(i, j, d[i] * d[j] * Math.pow(0.9, Math.abs(i - j)) / mean);
        for (int i = 0; i < n; i++) h.add(i, i, 0.01);
        return h;
    }

    private static void linalgBench() {
        int[][] cases = {{576, 1536, 1536}, {1536, 576, 576}, {576, 576, 576}};
        for (int[] c : cases) {
            DMatrixRMaj a = new DMatrixRMaj(c[0], c[1]), b = new DMatrixRMaj(c[1], c[2]);
            Random r = new Random(1);
            for (int i = 0; i < a.data.length; i++) a.data[i] = r.nextGaussian();
            for (int i = 0; i < b.data.length; i++) b.data[i] = r.nextGaussian();
            DMatrixRMaj out = new DMatrixRMaj(c[0], c[2]);
            for (int rep = 0; rep < 2; rep++) {
                Dense.mult(a, b);
                CommonOps_DDRM.mult(a, b, out);
            } // warm-up
            long t0 = System.nanoTime();
            Dense.mult(a, b);
            double ours = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            CommonOps_DDRM.mult(a, b, out);
            double ejml = (System.nanoTime() - t0) / 1e9;
            double gflop = 2.0 * c[0] * c[1] * c[2] / 1e9;
            System.out.printf(
                    "A·B %d×%d·%d×%d: Vector API %.3fs (%.1f GFLOP/s), EJML %.3fs (%.1f GFLOP/s)%n",
                    c[0], c[1], c[1], c[2], ours, gflop / ours, ejml, gflop / ejml);
        }
    }
}
