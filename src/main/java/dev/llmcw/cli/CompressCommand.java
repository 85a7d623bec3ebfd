package dev.llmcw.cli;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.compress.seedlm.SeedLmMethod;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelLoader;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
        @Option(names = "--bits", description = "SeedLM preset: 4 = (C,P,K) (8,3,16), 3 = (12,4,16)")
        Integer bits;
        @Option(names = "--C", description = "SeedLM block length") Integer c;
        @Option(names = "--P", description = "SeedLM coefficients per block") Integer p;
        @Option(names = "--K", description = "SeedLM LFSR width (2..24; the search tables limit it to about 20)") Integer k;
        @Option(names = "--exponent-rule", description = "SeedLM exponent rule: range (default) or printed") String exponentRule;
        @Option(names = "--per-tensor-scale", description = "SeedLM: FP16 scale per tensor (not in the paper; bits counted)") boolean perTensorScale;
    }

    CompressionMethod build() {
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "seedlm" -> SeedLmMethod.fromOptions(seedlm.bits, seedlm.c, seedlm.p, seedlm.k, seedlm.exponentRule,
                    seedlm.perTensorScale, tokenizer);
            case "caldera", "rtn", "gptq" -> throw new IllegalArgumentException("method " + method + " is not available in this build yet");
            default -> throw new IllegalArgumentException("unknown method '" + method + "' (seedlm, caldera, rtn, gptq)");
        };
    }

    @Override
    public Integer call() throws Exception {
        if (threads != null) dev.llmcw.engine.Parallel.setThreads(threads);
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
        CompressionReport r = m.compress(src, out, workDir, progress, cancel);
        Runtime.getRuntime().removeShutdownHook(hook);
        long fileBytes = Files.size(out);
        System.out.printf(Locale.ROOT, "bits/weight: %.4f (compressed tensors)%n", r.size().bitsPerCompressedWeight());
        System.out.printf(Locale.ROOT, "whole model: %,d bytes on disk (%,d params, %.4f bits/weight overall)%n",
                fileBytes, r.size().totalParams(), 8.0 * fileBytes / r.size().totalParams());
        System.out.printf(Locale.ROOT, "time: %.1f s%n", r.seconds());
        return 0;
    }
}
