package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each invalid flag of eval and compress exits non-zero with one sentence, before anything is loaded or written. */
class CliValidationTest {
    @TempDir
    Path dir;

    private record Outcome(int rc, String err, String out) {}

    private Outcome run(String... args) {
        CommandLine cl = Cli.commandLine();
        var err = new StringWriter();
        var out = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        return new Outcome(Cli.execute(cl, args), err.toString(), out.toString());
    }

    private Outcome eval(String... extra) throws Exception {
        return evalOn(Files.createDirectories(dir.resolve("data")), extra);
    }

    private Outcome evalOn(Path data, String... extra) {
        var args = new ArrayList<>(List.of(
                "eval",
                "--model",
                TestData.stories260K().toString(),
                "--data",
                data.toString(),
                "--out",
                dir.resolve("out").toString(),
                "--db",
                dir.resolve("results.db").toString()));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private void refused(Outcome o, String sentence) {
        assertThat(o.rc()).isNotZero();
        assertThat(o.err().lines()).singleElement().asString().isEqualTo("error: " + sentence);
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(dir.resolve("results.db")).doesNotExist();
    }

    @Test
    void aNegativeLimitIsRefused() throws Exception {
        refused(
                eval("--tasks", "piqa", "--limit", "-5"),
                "--limit must be 0 (all items) or a positive number of items, not -5");
    }

    @Test
    void aNegativeSampleIsRefused() throws Exception {
        refused(
                eval("--tasks", "piqa", "--sample", "-1"),
                "--sample must be 0 (all items) or a positive number of items, not -1");
    }

    @Test
    void aSeedThatIsNotANumberIsOneSentence() throws Exception {
        refused(eval("--tasks", "piqa", "--seed", "abc"), "--seed must be a whole number, not \"abc\"");
    }

    @Test
    void anUnknownTaskIsRefused() throws Exception {
        Outcome o = eval("--tasks", "piqa,nosuch");
        assertThat(o.rc()).isNotZero();
        assertThat(o.err().lines()).singleElement().asString().startsWith("error: unknown task \"nosuch\"; known: ");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMissingDataFolderIsRefused() throws Exception {
        Outcome o = evalOn(dir.resolve("gone"), "--tasks", "piqa");
        refused(o, "evaluation data folder " + dir.resolve("gone") + " does not exist");
    }

    @Test
    void anEmptyTextFileIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        refused(
                eval("--tasks", "text_ppl", "--text-file", empty.toString()),
                empty + ": the text file has no text (it is empty or only whitespace)");
    }

    @Test
    void anUnknownExecutorIsRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("text.txt"), "Once upon a time.");
        refused(
                eval("--tasks", "text_ppl", "--text-file", text.toString(), "--executor", "cloud"),
                "--executor must be \"local\" or \"slurm\", not \"cloud\"");
    }

    @Test
    void evaluationOnSlurmRefusesWhatItsJobsCannotDo() throws Exception {
        Path text = Files.writeString(dir.resolve("text.txt"), "Once upon a time.");
        refused(
                eval("--tasks", "text_ppl", "--text-file", text.toString(), "--executor", "slurm", "--no-store"),
                "--executor slurm stores the shards' items in the results database; not with --no-store");
        refused(
                eval("--tasks", "text_ppl", "--text-file", text.toString(), "--executor", "slurm"),
                "--executor slurm does not run text_ppl (--text-file); run it locally");
        refused(
                eval("--tasks", "text_ppl", "--executor", "slurm", "--tokenizer", text.toString()),
                "--executor slurm loads models with their own tokenizers; not with --tokenizer or --base-tokenizer");
    }

    private Outcome compress(String... extra) throws Exception {
        var args = new ArrayList<>(List.of(
                "compress",
                "--model",
                TestData.stories260K().toString(),
                "--out",
                dir.resolve("out").toString(),
                "--no-store"));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    @Test
    void aMissingCalibrationFileIsRefusedBeforeLoading() throws Exception {
        Path gone = dir.resolve("gone.txt");
        refused(
                compress("--method", "gptq", "--bits", "4", "--calib", gone.toString()),
                gone + ": calibration file not found");
    }

    @Test
    void anEmptyCalibrationFileIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        refused(
                compress("--method", "gptq", "--bits", "4", "--calib", empty.toString()),
                empty + ": calibration file is empty (no text to calibrate on)");
    }

    @Test
    void aShortCalibrationFileSaysWhatToLowerBeforeCalibrating() throws Exception {
        Path calib = Files.writeString(dir.resolve("calib.txt"), "Once upon a time there was a cat. ".repeat(10));
        Outcome o = compress(
                "--method",
                "gptq",
                "--bits",
                "4",
                "--calib",
                calib.toString(),
                "--calib-seqs",
                "8",
                "--calib-len",
                "64");
        assertThat(o.rc()).isNotZero();
        assertThat(o.err().lines())
                .singleElement()
                .asString()
                .startsWith("error: " + calib + ": tokenises to ")
                .contains("8 calibration sequences of 64 need 504; lower calib_seqs to ");
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(dir.resolve("hessian-cache")).doesNotExist();
    }

    @Test
    void anOutOfRangeRankIsRefused() throws Exception {
        Path calib = Files.writeString(dir.resolve("calib.txt"), "Once upon a time. ".repeat(500));
        Outcome o = compress("--method", "caldera", "--rank", "-3", "--calib", calib.toString());
        assertThat(o.rc()).isNotZero();
        assertThat(o.err().lines())
                .singleElement()
                .asString()
                .startsWith("error: ")
                .contains("rank");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void evaluatingOnTheCalibrationTextIsWarnedBeforeScoring() throws Exception {
        Path data = dir.resolve("data");
        Path stories = data.resolve("tinystories/tinystories_val_subset.txt");
        Files.createDirectories(stories.getParent());
        Files.writeString(stories, "Once upon a time there was a little cat. The cat liked to play.\n\n".repeat(40));
        Path compressed = dir.resolve("gptq.safetensors");
        Outcome c = run(
                "compress",
                "--model",
                TestData.stories260K().toString(),
                "--tokenizer",
                TestData.tok512().toString(),
                "--out",
                compressed.toString(),
                "--no-store",
                "--method",
                "gptq",
                "--bits",
                "4",
                "--calib",
                stories.toString(),
                "--calib-seqs",
                "2",
                "--calib-len",
                "64");
        assertThat(c.rc()).as(c.err()).isZero();
        Outcome e = run(
                "eval",
                "--model",
                compressed.toString(),
                "--tokenizer",
                TestData.tok512().toString(),
                "--tasks",
                "tinystories_ppl",
                "--limit",
                "1",
                "--data",
                data.toString(),
                "--out",
                dir.resolve("eval").toString(),
                "--no-store");
        assertThat(e.rc()).as(e.err()).isZero();
        assertThat(e.err())
                .contains("warning: this model was calibrated on a file named tinystories_val_subset.txt, as the"
                        + " evaluation text " + stories
                        + " is; if it is the same text, its perplexity will be optimistic");
    }

    @Test
    void calibratingOnAPassageOfTheEvaluationTextIsWarnedBeforeCompressing() throws Exception {
        Path stories = TestData.require("datasets/tinystories/tinystories_val_subset.txt");
        Path calib = Files.writeString(
                dir.resolve("calib.txt"), Files.readString(stories).substring(0, 4000));
        Outcome c = compress(
                "--tokenizer",
                TestData.tok512().toString(),
                "--method",
                "gptq",
                "--bits",
                "4",
                "--calib",
                calib.toString(),
                "--calib-seqs",
                "2",
                "--calib-len",
                "64");
        assertThat(c.rc()).as(c.err()).isZero();
        assertThat(c.err())
                .containsPattern("warning: the calibration file " + calib + " shares \\d+ passages of 64 tokens with"
                        + " the evaluation text " + stories + "; its perplexity will be optimistic");
    }
}
