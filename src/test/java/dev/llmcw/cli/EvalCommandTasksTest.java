package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.YesNoTask;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import dev.llmcw.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `eval` and `tasks` read the task registry; a model with NaN weights fails `eval` without a completed run. */
class EvalCommandTasksTest {
    @AfterEach
    void removeToyTask() {
        TaskRegistry.unregister("yesno");
    }

    private record Captured(int rc, String out, String err) {}

    private static Captured capture(Callable<Integer> call) throws Exception {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int rc = call.call();
            return new Captured(rc, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aRegisteredTaskIsListedAndRunsThroughTheCli(@TempDir Path dir) throws Exception {
        TaskRegistry.register(YesNoTask.DESCRIPTOR);
        Captured tasks = capture(() -> Cli.execute("tasks"));
        assertThat(tasks.rc()).isZero();
        assertThat(tasks.out())
                .contains("piqa")
                .contains("tinystories_ppl")
                .containsPattern("yesno +Yes/No \\(toy\\) +multiple_choice +acc ↑ .*0\\.50 +yesno/yesno.jsonl");
        // the --tasks help lists the registry as it is when help is shown
        assertThat(new CommandLine(new EvalCommand()).getUsageMessage())
                .contains("arc_challenge")
                .contains("yesno");

        Path out = dir.resolve("out");
        Captured run = capture(() -> Cli.execute(
                "eval",
                "--model",
                TestData.stories260K().toString(),
                "--tokenizer",
                TestData.tok512().toString(),
                "--tasks",
                "yesno",
                "--data",
                YesNoTask.dataDir().toString(),
                "--out",
                out.toString(),
                "--no-store"));
        assertThat(run.rc()).as(run.err()).isZero();
        JsonNode results = Json.MAPPER
                .readTree(Files.readString(out.resolve("results.json")))
                .get("results");
        assertThat(results.get("yesno").get("samples").asInt()).isEqualTo(5);
        assertThat(results.get("yesno").get("acc,none").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void rteLambadaAndC4RunOnTheShippedSamplesThroughTheCli(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Captured run = capture(() -> Cli.execute(
                "eval",
                "--model",
                TestData.stories260K().toString(),
                "--tokenizer",
                TestData.tok512().toString(),
                "--tasks",
                "rte,lambada_openai,c4",
                "--data",
                "datasets",
                "--out",
                out.toString(),
                "--no-store"));
        assertThat(run.rc()).as(run.err()).isZero();
        JsonNode results = Json.MAPPER
                .readTree(Files.readString(out.resolve("results.json")))
                .get("results");
        assertThat(results.get("rte").get("samples").asInt()).isEqualTo(10);
        assertThat(results.get("rte").get("acc,none").asDouble()).isBetween(0.0, 1.0);
        assertThat(results.get("lambada_openai").get("samples").asInt()).isEqualTo(10);
        assertThat(results.get("lambada_openai").get("perplexity,none").asDouble())
                .isGreaterThan(1);
        assertThat(results.get("lambada_openai").get("acc,none").asDouble()).isBetween(0.0, 1.0);
        assertThat(results.get("c4").get("perplexity,none").asDouble()).isGreaterThan(1);

        Captured missing = capture(() -> Cli.execute(
                "eval",
                "--model",
                TestData.stories260K().toString(),
                "--tokenizer",
                TestData.tok512().toString(),
                "--tasks",
                "c4",
                "--data",
                dir.toString(),
                "--out",
                dir.resolve("o2").toString(),
                "--no-store"));
        assertThat(missing.rc()).isNotZero();
        assertThat(missing.err())
                .contains("no data for c4: the C4 en validation shard 0 split")
                .contains("workbench download dataset c4");
    }

    @Test
    void aModelWithNanWeightsFailsEvalWithOneSentenceAndNoCompletedRun(@TempDir Path dir) throws Exception {
        Path bad = nanCopyOfStories260K(dir);
        Path db = dir.resolve("results.db");
        Path text = Files.writeString(
                dir.resolve("t.txt"), "Once upon a time there was a cat.\n\nThe dog ran to the park.\n");
        String[] args = {
            "eval",
            "--model",
            bad.toString(),
            "--tokenizer",
            TestData.tok512().toString(),
            "--tasks",
            "text_ppl",
            "--text-file",
            text.toString(),
            "--out",
            dir.resolve("out").toString(),
            "--db",
            db.toString()
        };
        // first line of defence: the weights are refused at load, before any run is recorded
        Captured refused = capture(() -> Cli.execute(args));
        assertThat(refused.rc()).isNotZero();
        assertThat(refused.err())
                .contains("stories260K-nan.bin")
                .contains("holds NaN at index 0")
                .contains("the weights are corrupt");
        assertThat(db).doesNotExist();
        // second: with the load check off, the non-finite score stops the run and nothing of it is stored
        Captured run;
        System.setProperty("workbench.checkWeights", "false");
        try {
            run = capture(() -> Cli.execute(args));
        } finally {
            System.clearProperty("workbench.checkWeights");
        }
        assertThat(run.rc()).isNotZero();
        assertThat(run.err())
                .contains("error: text_ppl: item 0 scored a non-finite log-likelihood (NaN) on model ")
                .contains("so the evaluation was stopped and nothing of it stored");
        assertThat(run.out()).doesNotContain("perplexity");
        assertThat(dir.resolve("out/results.json")).doesNotExist();
        try (ResultsStore store = ResultsStore.open(db)) {
            List<RunRecord> runs = store.listRuns(RunFilter.all());
            assertThat(runs).hasSize(1);
            assertThat(runs.getFirst().status()).isEqualTo(RunStatus.FAILED);
            assertThat(runs.getFirst().message()).contains("non-finite log-likelihood");
            assertThat(runs.getFirst().metrics()).isEmpty();
        }
    }

    /** stories260K with the first weight of layer 0's attention norm set to NaN (llama2.c layout: header, embeddings, rms_att). */
    static Path nanCopyOfStories260K(Path dir) throws Exception {
        byte[] bytes = Files.readAllBytes(TestData.stories260K());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(0), vocab = Math.abs(b.getInt(20));
        b.putFloat(28 + vocab * dim * 4, Float.NaN);
        Path bad = dir.resolve("stories260K-nan.bin");
        Files.write(bad, bytes);
        return bad;
    }
}
