package dev.llmcw.compress.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibration file is refused before calibration starts: missing, a folder, empty, too short; overlap warned. */
class CalibrationCheckTest {
    @TempDir
    Path dir;

    /** One token per whitespace-separated number ("17" → 17); BOS 1, so a sequence of L holds L − 1 text tokens. */
    static final Tokenizer WORDS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            return text.isBlank()
                    ? new int[0]
                    : Arrays.stream(text.strip().split("\\s+"))
                            .mapToInt(w -> Math.floorMod(w.hashCode(), 1000) + 2)
                            .toArray();
        }

        @Override
        public String decode(int[] ids) {
            return "";
        }

        @Override
        public int bosId() {
            return 1;
        }

        @Override
        public int eosId() {
            return 2;
        }

        @Override
        public int vocabSize() {
            return 1002;
        }
    };

    private Path words(String name, int from, int count) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(
                f, IntStream.range(from, from + count).mapToObj(i -> "w" + i).collect(Collectors.joining(" ")));
        return f;
    }

    @Test
    void aMissingFileIsNamed() {
        assertThat(CalibrationCheck.fileProblem(dir.resolve("nope.txt")))
                .isEqualTo(dir.resolve("nope.txt") + ": calibration file not found");
    }

    @Test
    void aFolderIsNotACalibrationFile() {
        assertThat(CalibrationCheck.fileProblem(dir))
                .isEqualTo(dir + ": calibration file is not a regular file (a folder?)");
    }

    @Test
    void anEmptyOrBlankFileIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path blank = Files.writeString(dir.resolve("blank.txt"), " \n\n ");
        assertThat(CalibrationCheck.fileProblem(empty))
                .isEqualTo(empty + ": calibration file is empty (no text to calibrate on)");
        assertThat(CalibrationCheck.fileProblem(blank)).contains("is empty");
        assertThatThrownBy(() -> CalibrationCheck.require(empty, WORDS, 1, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void tooFewTokensSaysHowManyAndWhatToLower() throws Exception {
        Path f = words("short.txt", 0, 100);
        // 4 × 32 with BOS needs 4 × 31 = 124 text tokens; 100 allow 3 sequences of 32 or 4 of 26
        assertThat(CalibrationCheck.tokenProblem(f, WORDS, 4, 32))
                .isEqualTo(f + ": tokenises to 100 tokens, but 4 calibration sequences of 32 need 124;"
                        + " lower calib_seqs to 3 or calib_len to 26, or use a longer file");
        assertThat(CalibrationCheck.tokenProblem(f, WORDS, 3, 32)).isNull();
        assertThat(CalibrationCheck.tokenProblem(f, WORDS, 4, 26)).isNull();
        // the suggestions are what Calibration.sequences accepts
        assertThat(Calibration.sequences(f, WORDS, 4, 26)).hasSize(4);
    }

    @Test
    void theSameFileAsTheEvaluationTextIsWarned() throws Exception {
        Path f = words("calib.txt", 0, 500);
        Path copy = Files.copy(f, dir.resolve("copy.txt"));
        assertThat(CalibrationCheck.overlapWarning(f, WORDS, 4, 64, f)).contains("is the evaluation text");
        assertThat(CalibrationCheck.overlapWarning(f, WORDS, 4, 64, copy)).contains("is the evaluation text");
    }

    @Test
    void aSharedLongPassageIsWarnedAndDisjointTextIsNot() throws Exception {
        Path calib = words("calib.txt", 0, 300);
        Path disjoint = words("eval.txt", 1000, 2000);
        assertThat(CalibrationCheck.overlapWarning(calib, WORDS, 4, 64, disjoint))
                .isNull();
        // the evaluation text quotes 100 tokens of the calibration text inside its own: 37 shared windows of 64
        Path quoting = dir.resolve("quoting.txt");
        Files.writeString(
                quoting,
                Files.readString(words("a.txt", 5000, 200)) + " " + Files.readString(words("b.txt", 100, 100)) + " "
                        + Files.readString(words("c.txt", 7000, 200)));
        assertThat(CalibrationCheck.overlapWarning(calib, WORDS, 4, 64, quoting))
                .isEqualTo("warning: the calibration file " + calib + " shares 37 passages of 64 tokens with the"
                        + " evaluation text " + quoting + "; its perplexity will be optimistic");
        // a passage shorter than the window is a common phrase, not copied text
        Files.writeString(quoting, Files.readString(words("d.txt", 100, 63)));
        assertThat(CalibrationCheck.overlapWarning(calib, WORDS, 4, 64, quoting))
                .isNull();
    }

    @Test
    void onlyTheTokensCalibrationUsesAreCompared() throws Exception {
        Path calib = words("calib.txt", 0, 1000);
        Path tail = words("tail.txt", 900, 100); // beyond the 2 × 64 tokens used
        assertThat(CalibrationCheck.overlapWarning(calib, WORDS, 2, 64, tail)).isNull();
        assertThat(CalibrationCheck.overlapWarning(calib, WORDS, 16, 64, tail)).contains("shares 37 passages");
    }

    @Test
    void aRecordedCalibrationNamedLikeTheEvaluationTextIsWarned() {
        Path text = dir.resolve("tinystories_val_subset.txt");
        assertThat(CalibrationCheck.recordedOverlapWarning("tinystories_val_subset.txt, 128 × 512 tokens", text))
                .isEqualTo("warning: this model was calibrated on a file named tinystories_val_subset.txt, as the"
                        + " evaluation text " + text
                        + " is; if it is the same text, its perplexity will be optimistic");
        assertThat(CalibrationCheck.recordedOverlapWarning("c4_sample.txt, 128 × 512 tokens", text))
                .isNull();
        assertThat(CalibrationCheck.recordedOverlapWarning(null, text)).isNull();
    }
}
