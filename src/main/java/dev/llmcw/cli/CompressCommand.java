package dev.llmcw.cli;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelLoader;
import dev.llmcw.suite.SuiteMethods;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code compress --method seedlm|caldera|rtn|gptq}: each method is built by a small factory from its own
 * options (a mixin per method), then runs through the common {@link CompressionMethod} interface.
 */
@Command(name = "compress", description = "Compress a model's weights and write a compressed model file (safetensors + metadata).")
final class CompressCommand implements Callable<Integer> {
    @Option(names = "--method", required = true, description = "seedlm, caldera, rtn or gptq")
    String method;

    @Option(names = "--model", required = true, description = "source model (llama2.c file, Hugging Face folder, GGUF)")
    Path model;

    @Option(names = "--tokenizer", description = "tokenizer used with the model (recorded in the file)")
    Path tokenizer;

    @Option(names = "--out", required = true, description = "compressed model file to write")
    Path out;

    @Option(names = "--work-dir", description = "folder for per-tensor results (resume after an interruption); default OUT.work")
    Path workDir;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Mixin
    SeedLmOptions seedlm = new SeedLmOptions();

    /** SeedLM's options. */
    static final class SeedLmOptions {
        @Option(names = "--bits", description = "SeedLM preset: 4 = (C,P,K) (8,3,16), 3 = (12,4,16); RTN/GPTQ: bits per weight (default 4)")
        Integer bits;
        @Option(names = "--C", description = "SeedLM block length") Integer c;
        @Option(names = "--P", description = "SeedLM coefficients per block") Integer p;
        @Option(names = "--K", description = "SeedLM LFSR width (2..24; the search tables limit it to about 20)") Integer k;
        @Option(names = "--exponent-rule", description = "SeedLM exponent rule: range (default) or printed") String exponentRule;
        @Option(names = "--per-tensor-scale", description = "SeedLM: FP16 scale per tensor (not in the paper; bits counted)") boolean perTensorScale;
    }

    @Mixin
    CalderaCliOptions caldera = new CalderaCliOptions();

    /** CALDERA, RTN and GPTQ options (--bits above is shared by SeedLM, RTN and GPTQ). */
    static final class CalderaCliOptions {
        @Option(names = "--q-bits", defaultValue = "2", description = "CALDERA: bits of the backbone Q (e8p: 2)") int qBits;
        @Option(names = "--lr-bits", defaultValue = "4", description = "CALDERA: bits of L and R (2..8; e8p: 2 or 4; 16 = BF16, 32 = F32)") int lrBits;
        @Option(names = "--rank", defaultValue = "64", description = "CALDERA: rank k of L·R (0 = LDLQ only)") int rank;
        @Option(names = "--outer-iters", defaultValue = "20", description = "CALDERA: outer iterations") int outer;
        @Option(names = "--inner-iters", defaultValue = "50", description = "CALDERA: LPLR iterations for quantised factors") int inner;
        @Option(names = "--no-hadamard", description = "CALDERA: skip the randomised Hadamard incoherence") boolean noHadamard;
        @Option(names = "--quantizer", defaultValue = "scalar", description = "CALDERA: scalar or e8p (QuIP# E8P12 lattice)") String quantizer;
        @Option(names = "--exact-svd", description = "CALDERA: full SVD in the LR step (default: randomised top-k)") boolean exactSvd;
        @Option(names = "--seed", defaultValue = "24301", description = "CALDERA: seed of the Hadamard transforms") long seed;
        @Option(names = "--calib", description = "CALDERA/GPTQ: calibration text file (tokenised by the model's tokenizer)") Path calib;
        @Option(names = "--calib-seqs", defaultValue = "128", description = "CALDERA/GPTQ: calibration sequences N") int calibSeqs;
        @Option(names = "--calib-len", defaultValue = "512", description = "CALDERA/GPTQ: tokens per calibration sequence L") int calibLen;
        @Option(names = "--calib-cache", description = "CALDERA/GPTQ: folder caching H per (model, file, N, L) (default: beside OUT)") Path calibCache;
        @Option(names = "--group", defaultValue = "128", description = "RTN/GPTQ: group size g") int group;
        @Option(names = "--sym", description = "RTN/GPTQ: symmetric grid (default asymmetric with zero point)") boolean sym;
        @Option(names = "--act-order", description = "GPTQ: process columns by decreasing H[i,i]") boolean actOrder;
        @Option(names = "--damp", defaultValue = "0.01", description = "GPTQ: damping as a fraction of mean(diag H)") double damp;
    }

    /**
     * The command's options as the method's named parameters, built by the one factory that suites and
     * the GUI use too ({@link SuiteMethods}), so a setting means the same everywhere.
     */
    CompressionMethod build() {
        String m = method.toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        switch (m) {
            case "seedlm" -> {
                putIfSet(params, "bits", seedlm.bits);
                putIfSet(params, "C", seedlm.c);
                putIfSet(params, "P", seedlm.p);
                putIfSet(params, "K", seedlm.k);
                putIfSet(params, "exponent_rule", seedlm.exponentRule);
                params.put("per_tensor_scale", String.valueOf(seedlm.perTensorScale));
            }
            case "rtn", "gptq" -> {
                params.put("bits", String.valueOf(seedlm.bits == null ? 4 : seedlm.bits));
                params.put("group", String.valueOf(caldera.group));
                params.put("sym", String.valueOf(caldera.sym));
                if (m.equals("gptq")) {
                    params.put("act_order", String.valueOf(caldera.actOrder));
                    params.put("damp", String.valueOf(caldera.damp));
                    putCalibration(params);
                }
            }
            case "caldera" -> {
                params.put("q_bits", String.valueOf(caldera.qBits));
                params.put("lr_bits", String.valueOf(caldera.lrBits));
                params.put("rank", String.valueOf(caldera.rank));
                params.put("outer_iters", String.valueOf(caldera.outer));
                params.put("inner_iters", String.valueOf(caldera.inner));
                params.put("hadamard", String.valueOf(!caldera.noHadamard));
                params.put("quantizer", caldera.quantizer);
                params.put("seed", String.valueOf(caldera.seed));
                params.put("exact_svd", String.valueOf(caldera.exactSvd));
                putCalibration(params);
            }
            default -> throw new IllegalArgumentException("unknown method '" + method + "' (seedlm, caldera, rtn, gptq)");
        }
        Path cache = caldera.calibCache != null ? caldera.calibCache : out.toAbsolutePath().resolveSibling("hessian-cache");
        return SuiteMethods.create(m, params, Path.of("").toAbsolutePath(), cache).withTokenizer(tokenizer);
    }

    private void putCalibration(Map<String, String> params) {
        if (caldera.calib == null) throw new IllegalArgumentException("--method " + method + " needs --calib FILE (calibration text)");
        params.put("calib", caldera.calib.toAbsolutePath().toString());
        params.put("calib_seqs", String.valueOf(caldera.calibSeqs));
        params.put("calib_len", String.valueOf(caldera.calibLen));
    }

    private static void putIfSet(Map<String, String> params, String key, Object value) {
        if (value != null) params.put(key, value.toString());
    }

    @picocli.CommandLine.Option(names = "--db", description = "results database (default: $WORKBENCH_HOME/results.db or ~/.local/share/llm-compression-workbench/results.db)")
    Path db;

    @picocli.CommandLine.Option(names = "--no-store", description = "do not record the compression in the results database")
    boolean noStore;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        CompressionMethod m = build();
        Model src = tokenizer == null ? ModelLoader.load(model) : ModelLoader.load(model, tokenizer);
        SizeEstimate est = m.estimate(src);
        System.out.printf(Locale.ROOT, "%s %s on %s%n", m.name(), m.parameters(), src.label());
        System.out.printf(Locale.ROOT, "estimate: %,d compressed weights at %.4f bits/weight; %,d params, %,d bytes, %.4f bits/weight overall%n",
                est.compressedParams(), est.bitsPerCompressedWeight(), est.totalParams(), est.totalBytes(), est.bitsPerWeightOverall());
        CancellationToken cancel = CancellationToken.none();
        Thread hook = new Thread(cancel::cancel);
        Runtime.getRuntime().addShutdownHook(hook);
        ProgressListener progress = new ProgressListener() {
            long last;
            @Override
            public synchronized void update(String stage, long done, long total, String message) {
                if (total < 0) {
                    System.out.println(stage);
                    return;
                }
                long now = System.nanoTime();
                if (done == total || now - last > 1_000_000_000L) {
                    last = now;
                    System.out.printf(Locale.ROOT, "  %s: %,d/%,d %s%n", stage, done, total, message);
                }
            }
        };
        double cpu0 = dev.llmcw.util.ProcessStats.cpuSeconds();
        CompressionReport r = m.compress(src, out, workDir, progress, cancel);
        double cpu = dev.llmcw.util.ProcessStats.cpuSeconds() - cpu0;
        Runtime.getRuntime().removeShutdownHook(hook);
        long fileBytes = Files.size(out);
        System.out.printf(Locale.ROOT, "bits/weight: %.4f (compressed tensors)%n", r.size().bitsPerCompressedWeight());
        System.out.printf(Locale.ROOT, "whole model: %,d bytes on disk (%,d params, %.4f bits/weight overall)%n",
                fileBytes, r.size().totalParams(), 8.0 * fileBytes / r.size().totalParams());
        System.out.printf(Locale.ROOT, "time: %.1f s wall, %.1f s CPU (load average %.2f on %d cores)%n", r.seconds(), cpu,
                dev.llmcw.util.ProcessStats.loadAverage(),
                Runtime.getRuntime().availableProcessors());
        if (!noStore) {
            // Record the compression (per-tensor errors, size) so evaluations of the file link back to it.
            try (var store = db == null ? dev.llmcw.results.ResultsStore.openDefault() : dev.llmcw.results.ResultsStore.open(db)) {
                String modelHash = dev.llmcw.results.ModelHashes.contentHash(model);
                String fileHash = dev.llmcw.results.ModelHashes.contentHash(out);
                store.saveCompression(dev.llmcw.results.CompressionRecord.of(modelHash, model.toString(), r, fileHash));
            }
        }
        return 0;
    }
}
