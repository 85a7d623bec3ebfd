package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each evaluation setting gets one sentence naming the field and the value. */
class EvalSettingsCheckTest {
    @Test
    void countsMustBeZeroOrPositiveWholeNumbers() {
        assertThat(EvalSettingsCheck.countProblem("--limit", "-5"))
                .isEqualTo("--limit must be 0 (all items) or a positive number of items, not -5");
        assertThat(EvalSettingsCheck.countProblem("Items per task", "ten"))
                .isEqualTo("Items per task must be a whole number of items, not \"ten\"");
        assertThat(EvalSettingsCheck.countProblem("--sample", "2.5"))
                .contains("--sample")
                .contains("2.5");
        assertThat(EvalSettingsCheck.countProblem("--limit", "0")).isNull();
        assertThat(EvalSettingsCheck.countProblem("--limit", "12")).isNull();
    }

    @Test
    void seedsMustBeWholeNumbers() {
        assertThat(EvalSettingsCheck.seedProblem("Seed", "abc")).isEqualTo("Seed must be a whole number, not \"abc\"");
        assertThat(EvalSettingsCheck.seedProblem("Seed", " ")).isEqualTo("Seed must be a whole number, not empty");
        assertThat(EvalSettingsCheck.seedProblem("Seed", "1e3")).contains("\"1e3\"");
        assertThat(EvalSettingsCheck.seedProblem("Seed", "-42")).isNull();
    }

    @Test
    void tasksMustBeKnown() {
        assertThat(EvalSettingsCheck.taskProblem(List.of("piqa", "nosuchtask")))
                .startsWith("unknown task \"nosuchtask\"; known: ")
                .contains("piqa");
        assertThat(EvalSettingsCheck.taskProblem(List.of())).isEqualTo("no tasks given");
        assertThat(EvalSettingsCheck.taskProblem(List.of("piqa"))).isNull();
    }

    @Test
    void dataAndTextFilesMustBePresent(@TempDir Path dir) throws Exception {
        assertThat(EvalSettingsCheck.dataProblem(dir.resolve("gone")))
                .isEqualTo("evaluation data folder " + dir.resolve("gone") + " does not exist");
        assertThat(EvalSettingsCheck.dataProblem(dir)).isNull();
        Path empty = Files.writeString(dir.resolve("e.txt"), "\n");
        assertThat(EvalSettingsCheck.textFileProblem(empty))
                .isEqualTo(empty + ": the text file has no text (it is empty or only whitespace)");
        assertThat(EvalSettingsCheck.textFileProblem(dir.resolve("x.txt")))
                .isEqualTo(dir.resolve("x.txt") + ": text file not found");
    }

    @Test
    void problemsListsEveryBadField() {
        assertThat(EvalSettingsCheck.problems("--limit", "-1", "--sample", "x", "--seed", "abc"))
                .hasSize(3);
        assertThat(EvalSettingsCheck.problems("--limit", "5", "--sample", "0", "--seed", "7"))
                .isEmpty();
    }

    @Test
    void evaluationTextsAreTheTextFilesTheTasksRead(@TempDir Path dir) throws Exception {
        Path stories = dir.resolve("tinystories/tinystories_val_subset.txt");
        Files.createDirectories(stories.getParent());
        Files.writeString(stories, "Once upon a time.");
        Path own = Files.writeString(dir.resolve("own.txt"), "My text.");
        assertThat(EvalSettingsCheck.evaluationTexts(List.of("piqa", "tinystories_ppl", "cloze", "text_ppl"), dir, own))
                .containsExactly(stories, own);
        assertThat(EvalSettingsCheck.evaluationTexts(List.of("piqa"), dir, null))
                .isEmpty();
    }
}
