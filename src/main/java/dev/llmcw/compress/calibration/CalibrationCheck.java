package dev.llmcw.compress.calibration;

import dev.llmcw.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The calibration file checked before any work starts (CLI {@code --calib}, the GUI field, suites): it exists,
 * is a regular file with text, and tokenises to enough tokens for N sequences of L, so a bad file is refused
 * with one sentence instead of at the end of a long run. {@link #overlapWarning} says when the calibration text
 * shares passages with the evaluation text (calibrating on the test text makes its perplexity optimistic).
 */
public final class CalibrationCheck {
    /** Tokens per compared passage: long enough that a shared window is copied text, not a common phrase. */
    public static final int WINDOW = 64;

    private static final int NONE = Integer.MIN_VALUE;

    private CalibrationCheck() {}

    /** Null when the file can be read as calibration text, else one sentence naming the file and the problem. */
    public static String fileProblem(Path file) {
        if (file == null) return "no calibration file given";
        if (!Files.exists(file)) return file + ": calibration file not found";
        if (!Files.isRegularFile(file)) return file + ": calibration file is not a regular file (a folder?)";
        if (!Files.isReadable(file)) return file + ": calibration file cannot be read";
        try {
            if (Files.size(file) == 0
                    || Files.readString(file, StandardCharsets.UTF_8).isBlank())
                return file + ": calibration file is empty (no text to calibrate on)";
        } catch (IOException e) {
            return file + ": calibration file cannot be read (" + e.getMessage() + ")";
        }
        return null;
    }

    /**
     * Null when the file tokenises to at least {@code count} sequences of {@code length} tokens as
     * {@link Calibration#sequences} cuts them, else how many tokens it has and what to lower.
     */
    public static String tokenProblem(Path file, Tokenizer tok, int count, int length) {
        String problem = fileProblem(file);
        if (problem != null) return problem;
        int tokens = tokens(file, tok).length;
        int body = tok.bosId() >= 0 ? length - 1 : length;
        long need = (long) count * body;
        if (need <= tokens) return null;
        int fewerSeqs = body <= 0 ? 0 : tokens / body;
        int shorter = tokens / Math.max(1, count) + (tok.bosId() >= 0 ? 1 : 0);
        return file + ": tokenises to " + tokens + " tokens, but " + count + " calibration sequences of " + length
                + " need " + need + "; lower calib_seqs to " + fewerSeqs + " or calib_len to " + shorter
                + ", or use a longer file";
    }

    /** Throws an {@link IllegalArgumentException} with {@link #tokenProblem}'s sentence when there is one. */
    public static void require(Path file, Tokenizer tok, int count, int length) {
        String problem = tokenProblem(file, tok, count, length);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /**
     * Null when the calibration text shares no {@value #WINDOW}-token passage with the evaluation text, else a
     * warning naming both files. Only the tokens calibration uses ({@code count × length}) are compared.
     */
    public static String overlapWarning(Path calib, Tokenizer tok, int count, int length, Path evaluation) {
        if (calib == null || evaluation == null || !Files.isRegularFile(calib) || !Files.isRegularFile(evaluation))
            return null;
        try {
            if (Files.isSameFile(calib, evaluation) || Files.mismatch(calib, evaluation) == -1)
                return "warning: the calibration file " + calib + " is the evaluation text " + evaluation
                        + "; its perplexity will be optimistic";
        } catch (IOException e) {
            return null;
        }
        int[] used = tokens(calib, tok);
        used = Arrays.copyOf(used, (int) Math.min(used.length, (long) count * length));
        int shared = sharedWindows(used, tokens(evaluation, tok));
        return shared == 0
                ? null
                : "warning: the calibration file " + calib + " shares " + shared + " passages of " + WINDOW
                        + " tokens with the evaluation text " + evaluation + "; its perplexity will be optimistic";
    }

    /**
     * For a compressed file, which records only its calibration as "NAME, N × L tokens" (no path): a warning when
     * the evaluation text has that file name, else null.
     */
    public static String recordedOverlapWarning(String recordedCalibration, Path evaluation) {
        if (recordedCalibration == null || evaluation == null || evaluation.getFileName() == null) return null;
        String name = recordedCalibration.split(",", 2)[0].strip();
        if (!name.equals(evaluation.getFileName().toString())) return null;
        return "warning: this model was calibrated on a file named " + name + ", as the evaluation text " + evaluation
                + " is; if it is the same text, its perplexity will be optimistic";
    }

    /**
     * How many {@value #WINDOW}-token passages of {@code text} also occur in {@code other}: the same test, for
     * token sequences other callers hold (fine-tuning text against held-out text).
     */
    public static int sharedPassages(int[] text, int[] other) {
        return sharedWindows(text, other);
    }

    /** How many {@value #WINDOW}-token windows of {@code calib} also occur in {@code evaluation} (rolling hashes). */
    static int sharedWindows(int[] calib, int[] evaluation) {
        if (calib.length < WINDOW || evaluation.length < WINDOW) return 0;
        Set<Long> windows = new HashSet<>();
        RollingHash h = new RollingHash();
        for (int i = 0; i < calib.length; i++) {
            h.push(calib[i], i >= WINDOW ? calib[i - WINDOW] : NONE);
            if (i >= WINDOW - 1) windows.add(h.value);
        }
        Set<Long> found = new HashSet<>();
        RollingHash e = new RollingHash();
        for (int i = 0; i < evaluation.length; i++) {
            e.push(evaluation[i], i >= WINDOW ? evaluation[i - WINDOW] : NONE);
            if (i >= WINDOW - 1 && windows.contains(e.value)) found.add(e.value);
        }
        return found.size();
    }

    /** The file's tokens without BOS, read as {@link Calibration#sequences} reads it. */
    private static int[] tokens(Path file, Tokenizer tok) {
        try {
            return tok.encode(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read calibration text", e);
        }
    }

    /** Polynomial hash of the last {@value #WINDOW} tokens, updated in O(1) per token. */
    private static final class RollingHash {
        private static final long BASE = 0x100000001B3L;
        private static final long TOP = pow(BASE, WINDOW - 1);
        long value;

        /** Appends {@code token}; {@code dropped} is the token leaving the window ({@link #NONE} while it fills). */
        void push(int token, int dropped) {
            if (dropped != NONE) value -= TOP * mix(dropped);
            value = value * BASE + mix(token);
        }

        private static long mix(int token) {
            long z = token * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
            return z ^ (z >>> 31);
        }

        private static long pow(long b, int e) {
            long r = 1;
            for (int i = 0; i < e; i++) r *= b;
            return r;
        }
    }
}
