package dev.llmcw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.engine.KvCache;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.MemoryBandwidth;
import dev.llmcw.engine.Parallel;
import dev.llmcw.engine.SyntheticModels;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.VectorKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "bench", description = {
        "Inference speed on SYNTHETIC models (random weights at the real shapes): prefill and decode tokens/s,",
        "peak RSS, measured memory bandwidth and decode as a share of the bandwidth bound; --torch compares",
        "with PyTorch fp32 on CPU (tools/reference/bench_torch.py) at the same shapes and thread count."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", defaultValue = "stories260K,smollm2-135m",
            description = "model shapes: stories260K, smollm2-135m, llama-3.2-1b (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--dtypes", split = ",", defaultValue = "f32,bf16", description = "f32, bf16 (default: ${DEFAULT-VALUE})")
    List<String> dtypes;

    @Option(names = "--prefill", defaultValue = "512", description = "prompt tokens processed as one batch (default: ${DEFAULT-VALUE})")
    int prefill;

    @Option(names = "--decode", defaultValue = "64", description = "tokens generated one at a time after the prompt (default: ${DEFAULT-VALUE})")
    int decode;

    @Option(names = "--torch", description = "also run PyTorch fp32 at the same shapes and print ratios")
    boolean torch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with PyTorch for --torch")
    String python;

    @Option(names = "--torch-script", defaultValue = "tools/reference/bench_torch.py", description = "PyTorch bench script")
    Path torchScript;

    record Row(String model, String dtype, double weightMB, double prefillTokS, double decodeTokS, double decodeGBs,
               double boundPct, double peakRssMB, double torchPrefill, double torchDecode) {}

    @Override
    public Integer call() throws Exception {
        if (prefill < 1 || decode < 1) throw new IllegalArgumentException("--prefill and --decode must be positive");
        System.out.printf(Locale.ROOT, "threads: %d, vector: %d-bit, max heap: %d MB%n", Parallel.threads(),
                VectorKernels.vectorBits(), Runtime.getRuntime().maxMemory() >> 20);
        double bw = MemoryBandwidth.copyGBs(256, 5);
        System.out.printf(Locale.ROOT, "memory copy bandwidth: %.1f GB/s (read+write, %d threads)%n", bw, Parallel.threads());
        List<Row> rows = new ArrayList<>();
        for (String name : models) {
            SyntheticModels.config(name); // validates the name early
            double[] torchRes = torch ? runTorch(name) : null;
            for (String dt : dtypes) {
                DType type = switch (dt.toLowerCase(Locale.ROOT)) {
                    case "f32" -> DType.F32;
                    case "bf16" -> DType.BF16;
                    default -> throw new IllegalArgumentException("--dtypes: f32 or bf16, not " + dt);
                };
                System.out.printf(Locale.ROOT, "building SYNTHETIC %s %s ...%n", name, type);
                Model m = SyntheticModels.build(name, type, 42);
                rows.add(measure(name, type, m, bw, torchRes));
                m = null;
                System.gc();
            }
        }
        printTable(rows, bw);
        return 0;
    }

    /** Bytes a decode step must read: every block projection plus the classifier (embedding row lookups are negligible). */
    static long decodeBytes(Model m) {
        var c = m.config();
        long b = 0;
        for (String w : WeightNames.blockLinearWeights(c.nLayers())) b += m.tensor(w).byteSize();
        b += m.tensor(c.tiedEmbeddings() ? WeightNames.EMBED : WeightNames.LM_HEAD).byteSize();
        return b;
    }

    private Row measure(String name, DType type, Model m, double bw, double[] torchRes) {
        LlamaEngine e = new LlamaEngine(m, Math.max(m.config().maxSeqLen(), prefill + decode));
        int vocab = m.config().vocabSize();
        SplittableRandom rnd = new SplittableRandom(7);
        int[] prompt = new int[prefill];
        for (int i = 0; i < prefill; i++) prompt[i] = rnd.nextInt(vocab);
        // warm-up: JIT-compile both the tiled (batch) and the matrix-vector paths
        KvCache warm = e.newCache(prefill + 8);
        e.forward(warm, prompt, 0, Math.min(prefill, 64), Math.min(prefill, 64) - 1);
        for (int i = 0; i < 4; i++) e.forward(warm, prompt, i, 1, 0);
        double bestPrefill = 0, bestDecode = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        for (int rep = 0; rep < 5 && (rep < 2 || System.nanoTime() < deadline); rep++) {
            KvCache cache = e.newCache(prefill + decode);
            long t0 = System.nanoTime();
            float[] logits = e.forward(cache, prompt, 0, prefill, prefill - 1);
            double ps = (System.nanoTime() - t0) / 1e9;
            bestPrefill = Math.max(bestPrefill, prefill / ps);
            int[] one = {argmax(logits)};
            long t1 = System.nanoTime();
            for (int i = 0; i < decode; i++) {
                logits = e.forward(cache, one, 0, 1, 0);
                one[0] = argmax(logits);
            }
            double ds = (System.nanoTime() - t1) / 1e9;
            bestDecode = Math.max(bestDecode, decode / ds);
            if (m.config().dim() >= 2048) break; // the 1B shapes: one timed run is long enough
        }
        long bytes = decodeBytes(m);
        double decodeGBs = bytes * bestDecode / 1e9;
        Row r = new Row(name, type.name(), m.weightBytes() / 1e6, bestPrefill, bestDecode, decodeGBs,
                100 * decodeGBs / bw, peakRssMB(), torchRes == null ? Double.NaN : torchRes[0],
                torchRes == null ? Double.NaN : torchRes[1]);
        System.out.printf(Locale.ROOT, "  %s %s: prefill %.1f tok/s, decode %.1f tok/s (%.1f GB/s of weights)%n",
                name, type, r.prefillTokS(), r.decodeTokS(), decodeGBs);
        return r;
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    /** Peak resident set size of this process (VmHWM) in MB, or NaN where /proc is unavailable. */
    static double peakRssMB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: reported as n/a
        }
        return Double.NaN;
    }

    private double[] runTorch(String name) throws IOException, InterruptedException {
        if (!Files.isRegularFile(torchScript)) throw new IllegalArgumentException("--torch-script " + torchScript + " not found");
        var cmd = List.of(python, torchScript.toString(), "--shape", name, "--prefill", Integer.toString(prefill),
                "--decode", Integer.toString(decode), "--threads", Integer.toString(Parallel.threads()));
        System.out.println("running " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (rc != 0 || json == null) throw new IllegalStateException("PyTorch bench failed (exit " + rc + "):\n" + out);
        JsonNode n = new ObjectMapper().readTree(json);
        System.out.printf(Locale.ROOT, "  torch %s fp32: prefill %.1f tok/s, decode %.1f tok/s%n", name,
                n.get("prefill_tok_s").asDouble(), n.get("decode_tok_s").asDouble());
        return new double[]{n.get("prefill_tok_s").asDouble(), n.get("decode_tok_s").asDouble()};
    }

    private void printTable(List<Row> rows, double bw) {
        System.out.println();
        System.out.printf(Locale.ROOT, "SYNTHETIC weights at real shapes; prefill %d tokens in one batch, decode %d tokens after it;"
                + " %d threads; bandwidth %.1f GB/s%n", prefill, decode, Parallel.threads(), bw);
        String h = String.format(Locale.ROOT, "| %-13s | %-5s | %9s | %12s | %11s | %10s | %9s | %9s |",
                "model", "dtype", "weights MB", "prefill tok/s", "decode tok/s", "decode GB/s", "% bw bound", "peak RSS MB");
        if (torch) h += String.format(Locale.ROOT, " %13s | %12s | %13s | %12s |", "torch prefill", "torch decode", "prefill ratio", "decode ratio");
        System.out.println(h);
        System.out.println(h.replaceAll("[^|]", "-"));
        for (Row r : rows) {
            String s = String.format(Locale.ROOT, "| %-13s | %-5s | %10.1f | %13.1f | %12.1f | %11.2f | %10.1f | %11.0f |",
                    r.model(), r.dtype(), r.weightMB(), r.prefillTokS(), r.decodeTokS(), r.decodeGBs(), r.boundPct(), r.peakRssMB());
            if (torch) {
                s += String.format(Locale.ROOT, " %13.1f | %12.1f | %12.2fx | %11.2fx |", r.torchPrefill(), r.torchDecode(),
                        r.prefillTokS() / r.torchPrefill(), r.decodeTokS() / r.torchDecode());
            }
            System.out.println(s);
        }
        System.out.println("peak RSS is the process high-water mark so far (models run in the order listed).");
    }
}
