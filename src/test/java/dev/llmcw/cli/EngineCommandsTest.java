package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.engine.Numerics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineCommandsTest {
    private static String run(int expectedRc, String... args) {
        PrintStream old = System.out;
        var buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertThat(Cli.execute(args)).isEqualTo(expectedRc);
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    @Test
    void benchPrintsATableForSyntheticModels() {
        String out = run(
                0,
                "bench",
                "--models",
                "stories260K",
                "--dtypes",
                "f32,bf16",
                "--prefill",
                "8",
                "--decode",
                "2",
                "--bandwidth-mb",
                "8");
        assertThat(out)
                .contains("SYNTHETIC")
                .contains("| stories260K   | F32")
                .contains("| stories260K   | BF16")
                .contains("memory copy bandwidth")
                .contains("float FMA peak")
                .contains("prefill GFLOP/s")
                .contains("% FMA peak");
    }

    @Test
    void benchPeakPrintsThePeakAndNoModels() {
        String out = run(0, "bench", "--peak");
        assertThat(out)
                .containsPattern("float FMA peak: [0-9.]+ GFLOP/s on one thread")
                .doesNotContain("memory copy bandwidth")
                .doesNotContain("stories260K");
    }

    /** A llama.cpp Q4_K_M GGUF given by path runs in its stored types (packed Q4_K/Q6_K kernels). */
    @Test
    void benchRunsALlamaCppKQuantFileAsStored(@TempDir Path dir) throws Exception {
        Path gguf = dir.resolve("synth-q4_k_m.gguf");
        try (var in = getClass().getResourceAsStream("/golden/gguf/kquant/synth-q4_k_m.gguf")) {
            Files.copy(in, gguf);
        }
        String out =
                run(0, "bench", "--models", gguf.toString(), "--prefill", "8", "--decode", "2", "--bandwidth-mb", "8");
        assertThat(out)
                .contains("model files as stored")
                .contains("synth-q4_k_m.gguf Q4_K+Q6_K: prefill")
                .contains("| synth-q4_k_m.gguf | Q4_K+Q6_K");
    }

    @Test
    void evalBenchRepeatsATaskInOneJvmAndLabelsTheFirst() {
        String out = run(
                0,
                "eval-bench",
                "--model",
                TestData.stories260K().toString(),
                "--data",
                TestData.require("datasets").toString(),
                "--tasks",
                "piqa",
                "--limit",
                "6",
                "--runs",
                "2");
        var rows = out.lines().filter(l -> l.startsWith("| stories260K")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).contains("| piqa | 1 (first in this JVM: JIT) | 6 |");
        assertThat(rows.get(1)).contains("| piqa | 2 | 6 |");
        // same items, same model: the same accuracy both times (a fresh store each run, nothing resumed)
        assertThat(rows.get(0).substring(rows.get(0).lastIndexOf("acc")))
                .isEqualTo(rows.get(1).substring(rows.get(1).lastIndexOf("acc")));
    }

    @Test
    void benchRejectsUnknownShapes() {
        run(1, "bench", "--models", "gpt-5", "--bandwidth-mb", "8");
    }

    @Test
    void pplNeedsATokenizer(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "Once upon a time.\n\nThe end.\n");
        // succeeds once a tokenizer is found beside the model; fails with a clear message otherwise
        PrintStream oldErr = System.err;
        var err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int rc;
        String out;
        try {
            var buf = new ByteArrayOutputStream();
            PrintStream old = System.out;
            System.setOut(new PrintStream(buf, true));
            try {
                rc = Cli.execute("ppl", "--model", TestData.stories260K().toString(), "--text", text.toString());
            } finally {
                System.setOut(old);
            }
            out = buf.toString();
        } finally {
            System.setErr(oldErr);
        }
        if (rc == 0) {
            assertThat(out).contains("perplexity: ").contains("tokens scored: ");
        } else {
            assertThat(err.toString()).contains("tokenizer");
        }
    }

    @Test
    void pplIsTheSameForCrlfWithBomAsForLf(@TempDir Path dir) throws Exception {
        String story =
                "Once upon a time there was a little dog.\nHe liked to run.\n\nThe sun was warm. The cat slept.\n";
        Path lf = dir.resolve("lf.txt");
        Files.writeString(lf, story);
        Path crlf = dir.resolve("crlf.txt");
        Files.writeString(crlf, "\uFEFF" + story.replace("\n", "\r\n"));
        String tok = TestData.tok512().toString();
        String a = run(
                0, "ppl", "--model", TestData.stories260K().toString(), "--tokenizer", tok, "--text", lf.toString());
        String b = run(
                0, "ppl", "--model", TestData.stories260K().toString(), "--tokenizer", tok, "--text", crlf.toString());
        assertThat(line(b, "perplexity")).isEqualTo(line(a, "perplexity"));
        assertThat(line(b, "tokens scored")).isEqualTo(line(a, "tokens scored"));
    }

    @Test
    void pplWithLlamaCppNumericsScoresCloseToTheDefaultAndSwitchesBack(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "Once upon a time there was a little dog.\nHe liked to run.\n\nThe sun was warm.\n");
        String tok = TestData.tok512().toString(),
                model = TestData.stories260K().toString();
        String ours = run(0, "ppl", "--model", model, "--tokenizer", tok, "--text", text.toString());
        String llama = run(
                0, "ppl", "--model", model, "--tokenizer", tok, "--text", text.toString(), "--numerics", "llama.cpp");
        assertThat(llama).contains("numerics: llama.cpp");
        assertThat(Numerics.current()).isEqualTo(Numerics.WORKBENCH);
        double a = Double.parseDouble(line(ours, "perplexity").replaceAll(".*: ", "")),
                b = Double.parseDouble(line(llama, "perplexity").replaceAll(".*: ", ""));
        // F16 keys/values and ggml's rounding move a float model's perplexity by far less than 1 %, never by nothing
        assertThat(Math.abs(b / a - 1)).isLessThan(1e-2);
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    void pplOnAnEmptyFileIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("nothing.txt");
        Files.writeString(empty, "\n\n");
        PrintStream oldErr = System.err;
        var err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        String out;
        try {
            out = run(
                    1,
                    "ppl",
                    "--model",
                    TestData.stories260K().toString(),
                    "--tokenizer",
                    TestData.tok512().toString(),
                    "--text",
                    empty.toString());
        } finally {
            System.setErr(oldErr);
        }
        assertThat(out).doesNotContain("NaN");
        assertThat(err.toString()).contains("nothing.txt").contains("no text");
    }

    private static String line(String out, String key) {
        return out.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElseThrow();
    }
}
