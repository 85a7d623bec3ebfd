package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmcw.TestData;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tokenizer.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A GGUF the workbench writes as Q4_K_M (stories260K with its llama2.c vocabulary) loads in llama.cpp, and
 * llama-perplexity's result equals the workbench's own perplexity of the same file within 0.1 % (0.2 % for Q4_K_M, see
 * below). Runs only
 * where env WORKBENCH_LLAMA_CPP names the folder holding llama.cpp's llama-perplexity binary.
 */
class WorkbenchGgufInLlamaCppTest {
    private static final int CTX = 128;

    @ParameterizedTest
    @ValueSource(strings = {"F32", "Q8_0", "Q6_K", "Q4_K_M"})
    void llamaPerplexityAgreesWithTheWorkbenchOnAnExportedFile(String type, @TempDir Path dir) throws Exception {
        String bin = System.getenv("WORKBENCH_LLAMA_CPP");
        assumeTrue(
                bin != null && Files.isExecutable(Path.of(bin, "llama-perplexity")),
                "skipped: set WORKBENCH_LLAMA_CPP to the folder with llama.cpp's llama-perplexity to run this test");
        Model src = ModelLoader.load(TestData.stories260K());
        src = src.withTokenizer(
                TokenizerFiles.llama2c(TestData.tok512(), src.config().vocabSize()));
        Path gguf = dir.resolve("stories260K-" + type + ".gguf");
        if (!type.contains("_K")) GgufModelWriter.write(src, gguf, DType.valueOf(type));
        else GgufModelWriter.write(src, gguf, KQuantMix.parse(type));
        String text = Files.readString(
                        TestData.require("datasets/tinystories/tinystories_val_subset.txt"), StandardCharsets.UTF_8)
                .substring(0, 3000);
        Path textFile = dir.resolve("text.txt");
        Files.writeString(textFile, text, StandardCharsets.UTF_8);

        double llama = llamaPerplexity(Path.of(bin, "llama-perplexity"), gguf, textFile, dir);

        double ours = llamaCppStylePerplexity(GgufModelLoader.load(gguf), text);
        // informative: the llama.cpp-compatible prefill (integer dots with Q8/Q8_K activations) on this 64-wide
        // model, whose K-quant mixes fall back to legacy types, moved the gaps both ways on 2026-12-07 (Q8_0
        // 0.080 → 0.044 %, Q6_K −0.064 → −0.108 %, Q4_K_M 0.152 → 0.190 %), so the float path is what is held
        double compatible =
                LlamaCppPerplexityTest.llamaCompatible(() -> llamaCppStylePerplexity(GgufModelLoader.load(gguf), text));
        double emulated = LlamaCppPerplexityTest.withLlamaCppNumerics(
                () -> llamaCppStylePerplexity(GgufModelLoader.load(gguf), text));
        System.out.printf(
                "%s: workbench %.6f (%.4f %%), llama.cpp-compatible %.6f (%.4f %%), llama.cpp numerics %.6f (%.4f %%),"
                        + " llama.cpp %.4f%n",
                type,
                ours,
                100 * (ours / llama - 1),
                compatible,
                100 * (compatible / llama - 1),
                emulated,
                100 * (emulated / llama - 1),
                llama);
        // llama.cpp multiplies quantized weights with activations rounded to Q8_0 (F16 for F16 weights); on this
        // 64-wide model that alone moves the perplexity by up to 0.08 % (Q8_0: 3.6442 vs 3.6471) and by 0.15 %
        // with Q4_K_M's Q5_0 fallback weights (3.5970 vs 3.6025, 2026-12-07), so Q4_K_M is held to 0.2 %.
        double tolerance = type.equals("Q4_K_M") ? 2e-3 : 1e-3;
        assertThat(Math.abs(ours / llama - 1))
                .as("workbench %s vs llama.cpp %s", ours, llama)
                .isLessThan(tolerance);
        // --numerics llama.cpp (F16 cache, llama.cpp's flash attention, Q8_0/F16 products, RoPE, RMSNorm, SwiGLU as
        // ggml-cpu computes them): measured 2026-12-07 within 0.03 % for all four (Q4_K_M 3.5981 vs 3.5970)
        assertThat(Math.abs(emulated / llama - 1))
                .as("workbench --numerics llama.cpp %s vs llama.cpp %s", emulated, llama)
                .isLessThan(1e-3);
    }

    /**
     * Runs llama-perplexity and reads its final estimate. Its logger writes from a worker thread and now and
     * then loses the last lines at exit (seen 1 run in 6 on 2026-12-07), so a run without them is repeated.
     */
    static double llamaPerplexity(Path exe, Path gguf, Path textFile, Path dir) throws Exception {
        String log = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            Path logFile = dir.resolve("llama-perplexity-" + attempt + ".log");
            Process p = new ProcessBuilder(
                            exe.toString(),
                            "-m",
                            gguf.toString(),
                            "-f",
                            textFile.toString(),
                            "-c",
                            Integer.toString(CTX),
                            "-b",
                            Integer.toString(CTX),
                            "-t",
                            "1",
                            "--log-file",
                            logFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("console.txt").toFile())
                    .start();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            log = Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
            Matcher m = Pattern.compile("Final estimate: PPL = ([0-9.]+)").matcher(log);
            if (m.find()) return Double.parseDouble(m.group(1));
        }
        throw new AssertionError("llama-perplexity printed no final estimate in 5 runs; last log:\n" + log);
    }

    /**
     * llama-perplexity's scheme: the text tokenized with BOS, cut into chunks of CTX tokens whose first token
     * is replaced by BOS, each scored on its second half only.
     */
    static double llamaCppStylePerplexity(Model model, String text) {
        int[] tokens = model.tokenizer().encode(text);
        int bos = model.tokenizer().bosId();
        int[] withBos = new int[tokens.length + 1];
        withBos[0] = bos;
        System.arraycopy(tokens, 0, withBos, 1, tokens.length);
        var engine = new LlamaEngine(model);
        double nll = 0;
        long count = 0;
        int first = CTX / 2;
        for (int start = 0; start + CTX <= withBos.length; start += CTX) {
            int[] chunk = Arrays.copyOfRange(withBos, start, start + CTX);
            chunk[0] = bos;
            float[][] logits = engine.logits(chunk);
            for (int j = first; j < CTX - 1; j++) {
                float[] l = logits[j];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float v : l) max = Math.max(max, v);
                for (float v : l) sum += Math.exp(v - max);
                nll -= l[chunk[j + 1]] - max - Math.log(sum);
                count++;
            }
        }
        return Math.exp(nll / count);
    }
}
