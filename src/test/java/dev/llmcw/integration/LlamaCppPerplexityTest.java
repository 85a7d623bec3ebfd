package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Numerics;
import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.IntegerActivations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The llama.cpp Q4_K_M file evaluated by llama.cpp's own {@code llama-perplexity} and by the workbench under
 * llama-perplexity's protocol (text tokenised with BOS, chunks of n_ctx tokens whose first token is replaced
 * by BOS, the second half of each chunk scored). Two files: the same weights dequantised to F32 (written by
 * the workbench), where both programs multiply floats and agree within 1e-4; and the Q4_K_M file itself,
 * where llama.cpp's CPU kernels multiply the Q4_K/Q6_K rows with activations rounded to 8 bits (Q8_K
 * blocks) while the workbench multiplies the exact floats: on this random-weight model that moves llama.cpp's
 * perplexity by 0.18 % (614.84 vs 615.92 on 2026-12-07), so that comparison is held to 0.5 %. With the
 * llama.cpp-compatible prefill ({@link IntegerActivations#setPrefill}: Q8_K activations, llama.cpp's integer
 * dot products) the gap is 0.11 % (615.52), held to 0.15 % and to less than the float path's. Runs only where
 * {@code WORKBENCH_LLAMA_CPP} names the directory holding the llama.cpp binaries.
 */
@Tag("slow")
class LlamaCppPerplexityTest {
    static final int N_CTX = 128, CHUNKS = 4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndTheWorkbenchAgreeOnTheQ4KmFileAndItsF32Twin() throws Exception {
        String bin = System.getenv("WORKBENCH_LLAMA_CPP");
        assumeTrue(
                bin != null && !bin.isBlank(),
                "WORKBENCH_LLAMA_CPP is not set (the directory of llama.cpp's llama-perplexity): comparison skipped");
        Path exe = Path.of(bin, "llama-perplexity");
        assertThat(exe).as("WORKBENCH_LLAMA_CPP has no llama-perplexity").isExecutable();

        Path q4km = dir.resolve("synth-q4_k_m.gguf");
        try (InputStream in = getClass().getResourceAsStream("/golden/gguf/kquant/synth-q4_k_m.gguf")) {
            Files.copy(in, q4km);
        }
        Model quantised = GgufModelLoader.load(q4km);
        Path f32 = dir.resolve("synth-q4_k_m-as-f32.gguf");
        GgufModelWriter.write(KQuantGgufPerplexityTest.dequantised(quantised), f32, DType.F32);

        String text = Files.readString(Path.of(System.getProperty("workbench.data", "../shared"))
                        .resolve("datasets/tinystories/tinystories_val_subset.txt"))
                .substring(0, 3000);
        Path textFile = dir.resolve("text.txt");
        Files.writeString(textFile, text);

        double theirsF32 = llamaPerplexity(exe, f32, textFile);
        double oursF32 = workbenchPerplexity(GgufModelLoader.load(f32), text);
        assertThat(Math.abs(oursF32 - theirsF32) / theirsF32)
                .as("F32: workbench %s vs llama-perplexity %s", oursF32, theirsF32)
                .isLessThanOrEqualTo(1e-4);

        double theirs = llamaPerplexity(exe, q4km, textFile);
        double ours = workbenchPerplexity(quantised, text);
        assertThat(Math.abs(ours - oursF32) / oursF32)
                .as("workbench Q4_K_M %s vs its F32 twin %s", ours, oursF32)
                .isLessThanOrEqualTo(1e-6);
        assertThat(Math.abs(ours - theirs) / theirs)
                .as("Q4_K_M: workbench %s vs llama-perplexity %s", ours, theirs)
                .isLessThanOrEqualTo(5e-3);
        double compatible = llamaCompatiblePerplexity(quantised, text);
        System.out.printf(
                "Q4_K_M: llama-perplexity %s, workbench float %s (%.4f %%), llama.cpp-compatible %s (%.4f %%)%n",
                theirs, ours, 100 * (ours / theirs - 1), compatible, 100 * (compatible / theirs - 1));
        // measured 2026-12-07: 615.52 vs 614.84 (0.11 %; the float path 0.18 %); the rest is llama.cpp's
        // flash-attention path (with -fa off it prints 615.92, 0.065 % from ours) and its repacked Q4_K kernels
        assertThat(Math.abs(compatible - theirs))
                .as(
                        "Q8_K activations bring the workbench (%s) closer to llama-perplexity (%s) than floats (%s)",
                        compatible, theirs, ours)
                .isLessThan(Math.abs(ours - theirs));
        assertThat(Math.abs(compatible - theirs) / theirs)
                .as("Q4_K_M: workbench with Q8_K activations %s vs llama-perplexity %s", compatible, theirs)
                .isLessThanOrEqualTo(1.5e-3);
        // measured 2026-12-07: 615.05 vs 614.84 (0.033 %)
        double emulated = withLlamaCppNumerics(() -> workbenchPerplexity(quantised, text));
        System.out.printf(
                "Q4_K_M: llama-perplexity %s, workbench --numerics llama.cpp %s (%.4f %%)%n",
                theirs, emulated, 100 * (emulated / theirs - 1));
        assertThat(Math.abs(emulated - theirs) / theirs)
                .as("Q4_K_M: workbench with llama.cpp numerics %s vs llama-perplexity %s", emulated, theirs)
                .isLessThanOrEqualTo(1e-3);
    }

    /** Runs the evaluation with {@link Numerics#LLAMA_CPP}: F16 cache, llama.cpp's flash attention, integer prefill. */
    static double withLlamaCppNumerics(Callable<Double> evaluation) throws Exception {
        Numerics was = Numerics.set(Numerics.LLAMA_CPP);
        try {
            return evaluation.call();
        } finally {
            Numerics.set(was);
        }
    }

    /** {@link #workbenchPerplexity} with the integer dot products in prefill too, as llama.cpp runs its batches. */
    static double llamaCompatiblePerplexity(Model model, String text) throws Exception {
        return llamaCompatible(() -> workbenchPerplexity(model, text));
    }

    /** Runs the evaluation with the llama.cpp-compatible prefill switched on. */
    static double llamaCompatible(Callable<Double> evaluation) throws Exception {
        boolean was = IntegerActivations.prefill();
        IntegerActivations.setPrefill(true);
        try {
            return evaluation.call();
        } finally {
            IntegerActivations.setPrefill(was);
        }
    }

    /** llama-perplexity's final estimate; its logger now and then loses the last lines at exit, so such a run is repeated. */
    static double llamaPerplexity(Path exe, Path gguf, Path text) throws IOException, InterruptedException {
        String out = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-m", gguf.toString(), "-f", text.toString()));
            cmd.addAll(List.of("-c", "" + N_CTX, "-b", "" + N_CTX, "--chunks", "" + CHUNKS, "-t", "1"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            Matcher m = Pattern.compile("Final estimate: PPL = ([0-9.]+)").matcher(out);
            if (m.find()) return Double.parseDouble(m.group(1));
        }
        throw new AssertionError("llama-perplexity printed no final estimate in 5 runs; last output:\n" + out);
    }

    /** llama-perplexity's protocol (tools/perplexity/perplexity.cpp, perplexity()) in the workbench's engine. */
    static double workbenchPerplexity(Model model, String text) {
        int bos = model.tokenizer().bosId();
        int[] body = model.tokenizer().encode(text);
        int[] tokens = new int[body.length + 1];
        tokens[0] = bos;
        System.arraycopy(body, 0, tokens, 1, body.length);
        LlamaEngine engine = new LlamaEngine(model);
        int first = N_CTX / 2;
        double nll = 0;
        long count = 0;
        for (int c = 0; c < CHUNKS; c++) {
            int[] window = new int[N_CTX];
            System.arraycopy(tokens, c * N_CTX, window, 0, N_CTX);
            window[0] = bos;
            float[][] logits = engine.logits(window);
            for (int pos = first; pos < N_CTX - 1; pos++) {
                nll -= logSoftmax(logits[pos], window[pos + 1]);
                count++;
            }
        }
        return Math.exp(nll / count);
    }

    static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) max = Math.max(max, v);
        for (float v : logits) sum += Math.exp(v - max);
        return logits[target] - max - Math.log(sum);
    }
}
