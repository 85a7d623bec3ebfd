package dev.llmcw.cli;

import dev.llmcw.compress.caldera.Caldera;
import dev.llmcw.compress.caldera.CalderaOptions;
import dev.llmcw.compress.caldera.PreparedHessian;
import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.engine.Parallel;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Times CALDERA on a synthetic model with SmolLM2-135M shapes (hidden 576, intermediate 1536, kv 192,
 * 30 layers). Weights are random Gaussians and H is a random SPD matrix (AR(1) correlation 0.9 with
 * random per-channel scales, regularised like calibration statistics): right for timing, meaningless
 * for quality.
 */
@Command(name = "caldera-bench", mixinStandardHelpOptions = true,
        description = "Time CALDERA per layer and extrapolate to a whole synthetic SmolLM2-135M-shaped model (SYNTHETIC weights and H).")
final class CalderaBenchCommand implements Callable<Integer> {
    @Option(names = "--hidden", defaultValue = "576") int hidden;
    @Option(names = "--intermediate", defaultValue = "1536") int intermediate;
    @Option(names = "--kv-dim", defaultValue = "192") int kvDim;
    @Option(names = "--layers", defaultValue = "30", description = "layers of the whole model (for extrapolation)") int layers;
    @Option(names = "--time-layers", defaultValue = "1", description = "layers actually compressed and timed") int timeLayers;
    @Option(names = "--rank", defaultValue = "64") int rank;
    @Option(names = "--q-bits", defaultValue = "2") int qBits;
    @Option(names = "--lr-bits", defaultValue = "4") int lrBits;
    @Option(names = "--outer-iters", defaultValue = "20") int outer;
    @Option(names = "--inner-iters", defaultValue = "50") int inner;
    @Option(names = "--quantizer", defaultValue = "scalar") String quantizer;
    @Option(names = "--no-hadamard") boolean noHadamard;
    @Option(names = "--exact-svd") boolean exactSvd;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--linalg", description = "also time our Vector API products against EJML") boolean linalg;

    @Override
    public Integer call() {
        Parallel.setThreads(threads);
        var o = new CalderaOptions(qBits, lrBits, rank, outer, inner, !noHadamard, quantizer, 1, exactSvd);
        System.out.printf("SYNTHETIC model: hidden %d, intermediate %d, kv %d, %d layers; random weights, random SPD H; %d threads%n",
                hidden, intermediate, kvDim, layers, threads);
        System.out.println("options: " + o.asMap());
        if (linalg) linalgBench();
        String[] names = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        int[][] shapes = {{hidden, hidden}, {kvDim, hidden}, {kvDim, hidden}, {hidden, hidden},
                {intermediate, hidden}, {intermediate, hidden}, {hidden, intermediate}};
        double total = 0;
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
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
                System.out.printf("layer %d %-9s %4d×%-4d  %7.2fs (H prep %.2fs)  act.err %.4f  %s%n",
                        layer, names[i], m, n, sec, prep, r.activationError(), r.quantizerLabel());
            }
            System.out.printf("layer %d total %.1fs%n", layer, layerSec);
            total += layerSec;
        }
        double perLayer = total / timeLayers;
        // On a shared machine wall time overstates the cost; process CPU time / threads is what an idle
        // machine with that many cores would take (the kernels keep all threads busy).
        double cpuPerLayer = (os.getProcessCpuTime() - cpu0) / 1e9 / timeLayers;
        System.out.printf("CPU time %.1fs per layer → ≈ %.1fs per layer on %d idle cores; whole model ≈ %.1f min (EXTRAPOLATED from CPU time)%n",
                cpuPerLayer, cpuPerLayer / threads, threads, cpuPerLayer / threads * layers / 60);
        System.out.printf("measured %d layer(s): %.1fs per layer; whole %d-layer model %s %.1f min%n", timeLayers, perLayer, layers,
                timeLayers == layers ? "=" : "≈ (EXTRAPOLATED)", perLayer * layers / 60);
        return 0;
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
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) h.set(i, j, d[i] * d[j] * Math.pow(0.9, Math.abs(i - j)) / mean);
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
            for (int rep = 0; rep < 2; rep++) { Dense.mult(a, b); CommonOps_DDRM.mult(a, b, out); } // warm-up
            long t0 = System.nanoTime();
            Dense.mult(a, b);
            double ours = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            CommonOps_DDRM.mult(a, b, out);
            double ejml = (System.nanoTime() - t0) / 1e9;
            double gflop = 2.0 * c[0] * c[1] * c[2] / 1e9;
            System.out.printf("A·B %d×%d·%d×%d: Vector API %.3fs (%.1f GFLOP/s), EJML %.3fs (%.1f GFLOP/s)%n",
                    c[0], c[1], c[1], c[2], ours, gflop / ours, ejml, gflop / ejml);
        }
    }
}
