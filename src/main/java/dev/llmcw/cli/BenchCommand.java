package dev.llmcw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.engine.KvCache;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.MemoryBandwidth;
import dev.llmcw.engine.SyntheticModels;
import dev.llmcw.model.CompressedModelFiles;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.gemm.FmaPeak;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        description = {
            "Inference speed on SYNTHETIC models (random weights at the real shapes): prefill and decode tokens/s,",
            "peak RSS, measured memory bandwidth and decode as a share of the bandwidth bound; --torch compares",
            "with PyTorch fp32 on CPU (tools/reference/bench_torch.py) at the same shapes and thread count.",
            "Prefill is also given in GFLOP/s (2 · block projection weights · tokens per second) and as a share of",
            "the measured float FMA peak of the same threads (--peak prints only that peak)."
        })
final class BenchCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BenchCommand.class);

    @Option(
            names = "--models",
            split = ",",
            defaultValue = "stories260K,smollm2-135m",
            description = "model shapes: stories260K, smollm2-135m, llama-3.2-1b, or model files (e.g. a llama.cpp"
                    + " Q4_K_M GGUF), measured as stored (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(
            names = "--model-file",
            split = ",",
            description = {
                "also bench these model files: a compressed file (RTN, GPTQ, CALDERA, SeedLM) runs on the fly from",
                "its packed codes, any other model as stored (e.g. its BF16 source or a Q4_0 GGUF to compare with);",
                "--models none benches only these"
            })
    List<Path> modelFiles = List.of();

    @Option(
            names = "--dtypes",
            split = ",",
            defaultValue = "f32,bf16",
            description = "f32, bf16 (default: ${DEFAULT-VALUE})")
    List<String> dtypes;

    @Option(
            names = "--prefill",
            defaultValue = "512",
            description = "prompt tokens processed as one batch (default: ${DEFAULT-VALUE})")
    int prefill;

    @Option(
            names = "--decode",
            defaultValue = "64",
            description = "tokens generated one at a time after the prompt (default: ${DEFAULT-VALUE})")
    int decode;

    @Option(
            names = "--bandwidth-mb",
            defaultValue = "256",
            description = "buffer size of the bandwidth measurement (default: ${DEFAULT-VALUE})")
    int bandwidthMb;

    @Option(
            names = "--bandwidth-reps",
            defaultValue = "10",
            description = "timed copies of the bandwidth measurement; the best counts (default: ${DEFAULT-VALUE})")
    int bandwidthReps;

    @Option(
            names = "--peak",
            description = "only measure the float FMA peak (Vector API, one thread and all threads) and print it")
    boolean peakOnly;

    @Option(
            names = "--packed",
            split = ",",
            description = {
                "instead of the plain table: compress each SYNTHETIC shape of --models with RTN at these bits (e.g. 4",
                "or 4,3,2) and time its decode run packed against the BF16 dense model loaded as ppl loads it, in",
                "interleaved rounds: \"decode tok/s vs BF16\""
            })
    List<Integer> packedBits = List.of();

    @Option(
            names = "--packed-group",
            defaultValue = "128",
            description = "RTN group size for --packed (default: ${DEFAULT-VALUE})")
    int packedGroup;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description = "interleaved rounds of --packed (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--roofline",
            description = {
                "also print each decode against its ceilings: streaming read bandwidth over the bytes per token, and",
                "the dot kernels' in-cache rate (weights per thread-CPU-second × threads) over the weights per token"
            })
    boolean roofline;

    /** The decodes measured, for --roofline. */
    private final RooflineReport rooflineReport = new RooflineReport();

    @Option(names = "--torch", description = "also run PyTorch fp32 at the same shapes and print ratios")
    boolean torch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with PyTorch for --torch")
    String python;

    @Option(
            names = "--torch-script",
            defaultValue = "tools/reference/bench_torch.py",
            description = "PyTorch bench script")
    Path torchScript;

    /** Rates are wall-clock tokens/s; *Cpu rates are tokens per CPU-second per thread (immune to a shared machine). */
    record Row(
            String model,
            String dtype,
            double weightMB,
            double prefillTokS,
            double prefillGflops,
            double decodeTokS,
            double decodeGBs,
            double peakRssMB,
            double prefillCpu,
            double decodeCpu,
            double[] torch) {
        /** Prefill GFLOP per thread-CPU-second (FLOPs per token × tokens per CPU-second per thread). */
        double prefillGflopsCpu() {
            return prefillTokS == 0 ? 0 : prefillGflops / prefillTokS * prefillCpu;
        }

        double torchAt(int i) {
            return torch == null ? Double.NaN : torch[i];
        }
    }

    @Override
    public Integer call() throws Exception {
        if (prefill < 1 || decode < 1) throw new IllegalArgumentException("--prefill and --decode must be positive");
        System.out.printf(
                Locale.ROOT,
                "threads: %d, vector: %d-bit, max heap: %d MB%n",
                Parallel.threads(),
                KernelSpecies.vectorBits(),
                Runtime.getRuntime().maxMemory() >> 20);
        FmaPeak.Result peak = FmaPeak.measure();
        System.out.printf(
                Locale.ROOT,
                "float FMA peak: %.1f GFLOP/s on one thread, %.1f GFLOP/s on %d threads (wall clock), %.1f GFLOP"
                        + " per thread-CPU-second (Vector API, %d-bit)%n",
                peak.oneThread(),
                peak.allThreads(),
                peak.threads(),
                peak.perCpuSecond(),
                KernelSpecies.vectorBits());
        if (peakOnly) return 0;
        if (!packedBits.isEmpty()) return packedOnly();
        var copy = MemoryBandwidth.measure(bandwidthMb, bandwidthReps);
        double bw = copy.bestGBs();
        System.out.printf(
                Locale.ROOT,
                "memory copy bandwidth: best %.1f GB/s, median %.1f GB/s (read+write bytes of %d MiB"
                        + " arraycopies, %d threads, %d timed copies)%n",
                bw,
                copy.medianGBs(),
                copy.mb(),
                copy.threads(),
                copy.reps());
        List<Row> rows = new ArrayList<>();
        for (String name : models) {
            if (name.equalsIgnoreCase("none")) continue;
            Path file = Path.of(name);
            if (Files.isRegularFile(file)) { // a model file runs in its own storage types; --dtypes does not apply
                rows.add(measureFile(file));
                continue;
            }
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
                rows.add(measure(name, type.name(), m, torchRes));
                m = null;
                System.gc();
            }
        }
        for (Path file : modelFiles) {
            rows.add(measureFile(file));
            System.gc();
        }
        var after = MemoryBandwidth.measure(bandwidthMb, bandwidthReps);
        // the bound is the higher of the two measurements: the stricter yardstick (the first copy after
        // start-up often comes out lower while the machine's clocks and the JIT settle)
        double bound = Math.max(bw, after.bestGBs());
        System.out.printf(
                Locale.ROOT,
                "memory copy bandwidth after the runs: best %.1f GB/s, median %.1f GB/s"
                        + " (the %% of the bound uses the higher best, %.1f GB/s)%n",
                after.bestGBs(),
                after.medianGBs(),
                bound);
        printTable(rows, bound, peak);
        if (roofline) rooflineReport.print(bandwidthMb, bandwidthReps);
        return 0;
    }

    /**
     * {@code --packed} runs alone in its JVM: the plain table's synthetic models keep their BF16 weights in heap
     * segments, the files loaded for inference in mapped ones, and once the BF16 kernels have run on both C2
     * compiles them for either, which halved the BF16 decode of the packed table that followed (see
     * docs/performance-notes.md, "bench --packed: the BF16 baseline").
     */
    private int packedOnly() throws IOException {
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be positive");
        System.out.println("--packed: only the packed table (run plain bench separately for the dense table)");
        for (String name : models) {
            if (name.equalsIgnoreCase("none") || Files.isRegularFile(Path.of(name))) continue;
            var timings = PackedBench.run(name, packedBits, packedGroup, prefill, decode, rounds);
            PackedBench.print(name, timings, prefill, decode, rounds);
        }
        return 0;
    }

    /** A model file as bench runs it: a compressed safetensors file as inference runs it (packed on the fly, SeedLM dense), anything else as stored. */
    static Model loadForBench(Path file) {
        boolean compressed = Files.isRegularFile(file)
                && file.getFileName().toString().endsWith(".safetensors")
                && SafetensorsFile.open(file).metadata().containsKey(CompressedModelFiles.KEY_METHOD);
        return compressed ? CompressedModelFiles.loadForInference(file) : ModelLoader.load(file);
    }

    /** The storage of a model's first block projection, e.g. "rtn 4-bit on-the-fly" or "dense Q4_0". */
    static String storageLabel(Model m) {
        Linear l = m.linears().get(WeightNames.q(0));
        return l != null ? l.kind() : "dense " + m.tensor(WeightNames.q(0)).dtype();
    }

    /** Bytes a decode step must read: every block projection (its stored size when compressed) plus the classifier (embedding row lookups are negligible). */
    static long decodeBytes(Model m) {
        var c = m.config();
        long b = 0;
        for (String w : WeightNames.blockLinearWeights(c.nLayers())) {
            Linear l = m.linears().get(w);
            b += l != null ? l.storageBytes() : m.tensor(w).byteSize();
        }
        b += m.tensor(c.tiedEmbeddings() ? WeightNames.EMBED : WeightNames.LM_HEAD)
                .byteSize();
        return b;
    }

    /** The storage types of a model's block projections, e.g. "Q4_K+Q6_K" for a llama.cpp Q4_K_M file. */
    static String storedTypes(Model m) {
        var types = new TreeSet<DType>();
        for (String w : WeightNames.blockLinearWeights(m.config().nLayers()))
            types.add(m.tensor(w).dtype());
        var names = new StringJoiner("+");
        for (DType t : types) names.add(t.name());
        return names.toString();
    }

    /** A model file as stored (compressed files on the fly, packed), labelled by its storage. */
    private Row measureFile(Path file) {
        System.out.printf(Locale.ROOT, "loading %s ...%n", file);
        Model m = loadForBench(file);
        return measure(
                file.getFileName().toString(), m.linears().isEmpty() ? storedTypes(m) : storageLabel(m), m, null);
    }

    private Row measure(String name, String type, Model m, double[] torchRes) {
        LlamaEngine e = new LlamaEngine(m, Math.max(m.config().maxSeqLen(), prefill + decode));
        int vocab = m.config().vocabSize();
        SplittableRandom rnd = new SplittableRandom(7);
        int[] prompt = new int[prefill];
        for (int i = 0; i < prefill; i++) prompt[i] = rnd.nextInt(vocab);
        // warm-up: JIT-compile both the tiled (batch) and the matrix-vector paths
        // (until C2 has compiled them, Vector API calls run a slow Java fallback)
        int warmTokens = Math.min(prefill, 128), warmReps = m.config().dim() >= 2048 ? 1 : 3;
        for (int rep = 0; rep < warmReps; rep++) {
            KvCache warm = e.newCache(warmTokens + 16);
            e.forward(warm, prompt, 0, warmTokens, warmTokens - 1);
            for (int i = 0; i < 16; i++) e.forward(warm, prompt, i % prefill, 1, 0);
        }
        double bestPrefill = 0, bestDecode = 0, cpuPrefill = Double.NaN, cpuDecode = Double.NaN;
        int threads = Parallel.threads();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        for (int rep = 0; rep < 5 && (rep < 2 || System.nanoTime() < deadline); rep++) {
            KvCache cache = e.newCache(prefill + decode);
            long c0 = ProcessStats.cpuNanos(), t0 = System.nanoTime();
            float[] logits = e.forward(cache, prompt, 0, prefill, prefill - 1);
            double ps = (System.nanoTime() - t0) / 1e9, pc = (ProcessStats.cpuNanos() - c0) / 1e9;
            if (prefill / ps > bestPrefill) {
                bestPrefill = prefill / ps;
                cpuPrefill = (double) prefill * threads / pc;
            }
            int[] one = {argmax(logits)};
            long c1 = ProcessStats.cpuNanos(), t1 = System.nanoTime();
            for (int i = 0; i < decode; i++) {
                logits = e.forward(cache, one, 0, 1, 0);
                one[0] = argmax(logits);
            }
            double ds = (System.nanoTime() - t1) / 1e9, dc = (ProcessStats.cpuNanos() - c1) / 1e9;
            if (decode / ds > bestDecode) {
                bestDecode = decode / ds;
                cpuDecode = (double) decode * threads / dc;
            }
            if (m.config().dim() >= 2048) break; // the 1B shapes: one timed run is long enough
        }
        long bytes = decodeBytes(m);
        rooflineReport.add(name, type, m, bestDecode);
        double decodeGBs = bytes * bestDecode / 1e9;
        Row r = new Row(
                name,
                type,
                m.weightBytes() / 1e6,
                bestPrefill,
                prefillFlops(m, 1) * bestPrefill / 1e9,
                bestDecode,
                decodeGBs,
                peakRssMB(),
                cpuPrefill,
                cpuDecode,
                torchRes);
        System.out.printf(
                Locale.ROOT,
                "  %s %s: prefill %.1f tok/s, decode %.1f tok/s (%.1f GB/s of weights)%n",
                name,
                type,
                r.prefillTokS(),
                r.decodeTokS(),
                decodeGBs);
        return r;
    }

    /**
     * FLOPs of a prefill per token: 2 per weight of the block projections (dense or compressed, each
     * in × out). Attention scores and the single classifier row are left out (≈ 2 % of a 128-token
     * prefill of the SmolLM2 shape), as llama.cpp's and BLAS's GFLOP/s conventions do.
     */
    static double prefillFlops(Model m, int tokens) {
        double weights = 0;
        for (String w : WeightNames.blockLinearWeights(m.config().nLayers())) {
            Linear l = m.linears().get(w);
            weights += l != null
                    ? (double) l.inFeatures() * l.outFeatures()
                    : m.tensor(w).numel();
        }
        return 2 * weights * tokens;
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    /** Peak resident set size of this process (VmHWM) in MB, or NaN where /proc is unavailable. */
    static double peakRssMB() {
        long b = ProcessStats.peakRssBytes();
        return b < 0 ? Double.NaN : b / (1024.0 * 1024.0);
    }

    private double[] runTorch(String name) throws IOException, InterruptedException {
        if (!Files.isRegularFile(torchScript))
            throw new IllegalArgumentException("--torch-script " + torchScript + " not found");
        var cmd = List.of(
                python,
                torchScript.toString(),
                "--shape",
                name,
                "--prefill",
                Integer.toString(prefill),
                "--decode",
                Integer.toString(decode),
                "--threads",
                Integer.toString(Parallel.threads()));
        LOG.info("running {}", String.join(" ", cmd));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // OpenMP threads that spin while waiting burn the CPU time the CPU-normalised rates are based on
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String json =
                out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (rc != 0 || json == null) throw new IllegalStateException("PyTorch bench failed (exit " + rc + "):\n" + out);
        JsonNode n = new ObjectMapper().readTree(json);
        System.out.printf(
                Locale.ROOT,
                "  torch %s fp32: prefill %.1f tok/s, decode %.1f tok/s%n",
                name,
                n.get("prefill_tok_s").asDouble(),
                n.get("decode_tok_s").asDouble());
        return new double[] {
            n.get("prefill_tok_s").asDouble(),
            n.get("decode_tok_s").asDouble(),
            n.get("prefill_tok_cpu_s").asDouble(),
            n.get("decode_tok_cpu_s").asDouble()
        };
    }

    private void printTable(List<Row> rows, double bw, FmaPeak.Result peak) {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%s; prefill %d tokens in one batch, decode %d tokens after it;"
                        + " %d threads; copy bandwidth %.1f GB/s; load average %s%n",
                models.stream().allMatch(n -> Files.isRegularFile(Path.of(n)))
                        ? "model files as stored"
                        : "SYNTHETIC weights at real shapes (model files: as stored)",
                prefill,
                decode,
                Parallel.threads(),
                bw,
                loadAverage());
        System.out.println("wall clock:");
        String h = String.format(
                Locale.ROOT,
                "| %-13s | %-5s | %10s | %13s | %15s | %11s | %12s | %11s | %10s | %11s |",
                "model",
                "dtype",
                "weights MB",
                "prefill tok/s",
                "prefill GFLOP/s",
                "% FMA peak",
                "decode tok/s",
                "decode GB/s",
                "% bw bound",
                "peak RSS MB");
        if (torch)
            h += String.format(
                    Locale.ROOT,
                    " %13s | %12s | %13s | %12s |",
                    "torch prefill",
                    "torch decode",
                    "prefill ratio",
                    "decode ratio");
        System.out.println(h);
        System.out.println(h.replaceAll("[^|]", "-"));
        for (Row r : rows) {
            String s = String.format(
                    Locale.ROOT,
                    "| %-13s | %-5s | %10.1f | %13.1f | %15.1f | %11.1f | %12.1f | %11.2f | %10.1f | %11.0f |",
                    r.model(),
                    r.dtype(),
                    r.weightMB(),
                    r.prefillTokS(),
                    r.prefillGflops(),
                    100 * r.prefillGflops() / peak.allThreads(),
                    r.decodeTokS(),
                    r.decodeGBs(),
                    100 * r.decodeGBs() / bw,
                    r.peakRssMB());
            if (torch) {
                s += String.format(
                        Locale.ROOT,
                        " %13.1f | %12.1f | %12.2fx | %11.2fx |",
                        r.torchAt(0),
                        r.torchAt(1),
                        r.prefillTokS() / r.torchAt(0),
                        r.decodeTokS() / r.torchAt(1));
            }
            System.out.println(s);
        }
        System.out.println("per CPU time (tokens per CPU-second per thread: the rate with threads never descheduled):");
        h = String.format(
                Locale.ROOT,
                "| %-13s | %-5s | %13s | %15s | %11s | %12s |",
                "model",
                "dtype",
                "prefill tok/s",
                "prefill GFLOP/s",
                "% FMA peak",
                "decode tok/s");
        if (torch)
            h += String.format(
                    Locale.ROOT,
                    " %13s | %12s | %13s | %12s |",
                    "torch prefill",
                    "torch decode",
                    "prefill ratio",
                    "decode ratio");
        System.out.println(h);
        System.out.println(h.replaceAll("[^|]", "-"));
        for (Row r : rows) {
            String s = String.format(
                    Locale.ROOT,
                    "| %-13s | %-5s | %13.1f | %15.1f | %11.1f | %12.1f |",
                    r.model(),
                    r.dtype(),
                    r.prefillCpu(),
                    r.prefillGflopsCpu(),
                    100 * r.prefillGflopsCpu() / (peak.perCpuSecond() * peak.threads()),
                    r.decodeCpu());
            if (torch) {
                s += String.format(
                        Locale.ROOT,
                        " %13.1f | %12.1f | %12.2fx | %11.2fx |",
                        r.torchAt(2),
                        r.torchAt(3),
                        r.prefillCpu() / r.torchAt(2),
                        r.decodeCpu() / r.torchAt(3));
            }
            System.out.println(s);
        }
        System.out.println("peak RSS is the process high-water mark so far (models run in the order listed).");
    }

    private static String loadAverage() {
        double l = ProcessStats.loadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", l);
    }
}
