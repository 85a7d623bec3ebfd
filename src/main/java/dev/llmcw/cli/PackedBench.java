package dev.llmcw.cli;

import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.engine.KvCache;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.SyntheticModels;
import dev.llmcw.model.CompressedModelFiles;
import dev.llmcw.model.Model;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code bench --packed}: a SYNTHETIC BF16 model compressed with RTN (b bits, groups of g), run packed as
 * inference runs it, against the BF16 dense decode of the same model loaded from a file as {@code ppl} loads it
 * (mapped, like the packed models' classifier: see {@link #asInferenceLoadsIt}). The models are timed in interleaved
 * rounds (BF16, then each packed one, the order reversed every other round) so that a machine shared with
 * other work slows them alike; the table gives medians, the spread, and decode tok/s as a multiple of BF16's.
 */
final class PackedBench {
    private PackedBench() {}

    /** One model's timings over the rounds (tokens/s). */
    record Timings(String label, double weightMB, List<Double> prefill, List<Double> decode, List<Double> decodeCpu) {}

    static List<Timings> run(String shape, List<Integer> bits, int group, int prefill, int decode, int rounds)
            throws IOException {
        Path dir = Files.createTempDirectory("workbench-packed-bench");
        try {
            System.out.printf(Locale.ROOT, "building SYNTHETIC %s BF16 ...%n", shape);
            Model bf16 = asInferenceLoadsIt(SyntheticModels.build(shape, DType.BF16, 42), dir.resolve("bf16"));
            List<String> labels = new ArrayList<>(List.of("BF16 dense"));
            List<Model> models = new ArrayList<>(List.of(bf16));
            for (int b : bits) {
                Path out = dir.resolve("rtn" + b + ".safetensors");
                System.out.printf(Locale.ROOT, "compressing %s with RTN %d-bit g%d ...%n", shape, b, group);
                MethodRegistry.get("rtn")
                        .create(Map.of("bits", Integer.toString(b), "group", Integer.toString(group)), dir, null)
                        .compress(bf16, out, dir.resolve("rtn" + b + ".work"), null, null);
                models.add(CompressedModelFiles.loadForInference(out));
                labels.add("rtn " + b + "-bit g" + group + " packed");
            }
            int n = Math.max(prefill, 1) + decode;
            List<LlamaEngine> engines = new ArrayList<>();
            List<Timings> out = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                Model m = models.get(i);
                engines.add(new LlamaEngine(m, Math.max(m.config().maxSeqLen(), n)));
                out.add(new Timings(
                        labels.get(i), m.weightBytes() / 1e6, new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
            }
            int[] prompt = new SplittableRandom(7)
                    .ints(prefill, 0, bf16.config().vocabSize())
                    .toArray();
            for (LlamaEngine e : engines) time(e, prompt, Math.min(decode, 16)); // warm-up: both kernel paths
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < engines.size(); k++) {
                    int i = r % 2 == 0 ? k : engines.size() - 1 - k;
                    double[] t = time(engines.get(i), prompt, decode);
                    out.get(i).prefill().add(t[0]);
                    out.get(i).decode().add(t[1]);
                    out.get(i).decodeCpu().add(t[2]);
                }
            }
            return out;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The model written as a BF16 Hugging Face folder and loaded back as {@code ppl}/{@code eval} load a model
     * ({@link ModelLoader#loadForInference}): its tensors then live in mapped file segments like the packed
     * models' embeddings and classifier. A synthetic model's heap segments would share the BF16 kernels' call
     * sites with the packed models' mapped ones, and that mixed profile halved the BF16 decode (see
     * docs/performance-notes.md, "bench --packed: the BF16 baseline").
     */
    private static Model asInferenceLoadsIt(Model m, Path folder) throws IOException {
        HfFolderWriter.write(m, folder, new HfFolderWriter.Options(DType.BF16, true, null));
        return ModelLoader.loadForInference(folder, null);
    }

    /**
     * Prefill tok/s of the prompt in one batch, decode tok/s of {@code decode} tokens after it, and decode tokens
     * per CPU-second per thread (the rate with threads never descheduled: what a loaded machine distorts least).
     */
    private static double[] time(LlamaEngine e, int[] prompt, int decode) {
        KvCache cache = e.newCache(prompt.length + decode);
        long t0 = System.nanoTime();
        float[] logits = e.forward(cache, prompt, 0, prompt.length, prompt.length - 1);
        double ps = (System.nanoTime() - t0) / 1e9;
        int[] one = {argmax(logits)};
        long t1 = System.nanoTime(), c1 = ProcessStats.cpuNanos();
        for (int i = 0; i < decode; i++) {
            logits = e.forward(cache, one, 0, 1, 0);
            one[0] = argmax(logits);
        }
        double ds = (System.nanoTime() - t1) / 1e9, dc = (ProcessStats.cpuNanos() - c1) / 1e9;
        return new double[] {prompt.length / ps, decode / ds, (double) decode * Parallel.threads() / dc};
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    static void print(String shape, List<Timings> rows, int prefill, int decode, int rounds) {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "packed vs BF16, SYNTHETIC %s: prefill %d, decode %d tokens, %d interleaved rounds, %d threads,"
                        + " load average %s (median, min–max)%n",
                shape,
                prefill,
                decode,
                rounds,
                Parallel.threads(),
                ProcessStats.loadAverage() < 0
                        ? "n/a"
                        : String.format(Locale.ROOT, "%.2f", ProcessStats.loadAverage()));
        String h = String.format(
                Locale.ROOT,
                "| %-22s | %10s | %19s | %19s | %20s | %23s | %12s |",
                "model",
                "weights MB",
                "prefill tok/s",
                "decode tok/s",
                "decode tok/s vs BF16",
                "decode tok/CPU-s/thread",
                "CPU vs BF16");
        System.out.println(h);
        System.out.println(h.replaceAll("[^|]", "-"));
        double base = median(rows.get(0).decode()), baseCpu = median(rows.get(0).decodeCpu());
        for (Timings t : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %-22s | %10.1f | %19s | %19s | %19.2fx | %23s | %11.2fx |%n",
                    t.label(),
                    t.weightMB(),
                    spread(t.prefill()),
                    spread(t.decode()),
                    median(t.decode()) / base,
                    spread(t.decodeCpu()),
                    median(t.decodeCpu()) / baseCpu);
        }
    }

    private static String spread(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", median(v), s[0], s[s.length - 1]);
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
