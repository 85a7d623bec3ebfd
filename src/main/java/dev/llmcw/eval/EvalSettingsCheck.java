package dev.llmcw.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation settings checked before any work starts, one sentence per problem naming the field and the
 * value; the CLI's {@code eval} (field names are its options) and the GUI's Evaluate form (its labels) share it.
 */
public final class EvalSettingsCheck {
    private EvalSettingsCheck() {}

    /** Null when {@code text} is a count of items (blank or 0 = all, else positive), else why not. */
    public static String countProblem(String field, String text) {
        try {
            ItemSubset.parseCount(field, text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Null when {@code text} is a whole number (a 64-bit seed), else why not. */
    public static String seedProblem(String field, String text) {
        if (text == null || text.isBlank()) return field + " must be a whole number, not empty";
        try {
            Long.parseLong(text.strip());
            return null;
        } catch (NumberFormatException e) {
            return field + " must be a whole number, not \"" + text.strip() + "\"";
        }
    }

    /** Null when every name is a registered task, else the first unknown one with the known names. */
    public static String taskProblem(List<String> names) {
        if (names == null || names.stream().allMatch(String::isBlank)) return "no tasks given";
        for (String n : names) {
            if (n.isBlank()) continue;
            if (TaskRegistry.find(n).isEmpty())
                return "unknown task \"" + n.strip() + "\"; known: " + String.join(", ", TaskRegistry.names());
        }
        return null;
    }

    /** Null when the data folder exists, else which folder is missing. */
    public static String dataProblem(Path dataDir) {
        if (dataDir == null) return "no evaluation data folder found (choose one, or give --data)";
        if (!Files.isDirectory(dataDir)) return "evaluation data folder " + dataDir + " does not exist";
        return null;
    }

    /** Null when the text file of a file-scoring task (text_ppl) is present and has text, else why not. */
    public static String textFileProblem(Path textFile) {
        if (textFile == null) return null;
        if (!Files.isRegularFile(textFile)) return textFile + ": text file not found";
        try {
            if (Files.readString(textFile, StandardCharsets.UTF_8).isBlank())
                return textFile + ": the text file has no text (it is empty or only whitespace)";
        } catch (IOException e) {
            return textFile + ": the text file cannot be read (" + e.getMessage() + ")";
        }
        return null;
    }

    /**
     * The text files the tasks score or read as text (text_ppl's file, TinyStories, WikiText raw text) that exist:
     * what a calibration text must not overlap. Compressed or JSON datasets are left out (not plain text).
     */
    public static List<Path> evaluationTexts(List<String> tasks, Path dataDir, Path textFile) {
        var out = new ArrayList<Path>();
        for (String n : tasks) {
            var d = TaskRegistry.find(n);
            if (d.isEmpty()) continue;
            Path f = d.get().needsTextFile()
                    ? textFile
                    : dataDir == null || d.get().dataset() == null
                            ? null
                            : dataDir.resolve(d.get().dataset());
            boolean text =
                    f != null && (f.toString().endsWith(".txt") || f.toString().endsWith(".raw"));
            if (text && Files.isRegularFile(f) && !out.contains(f)) out.add(f);
        }
        return out;
    }

    /** Every problem of one evaluation's settings, in the order of the form; empty when it can run. */
    public static List<String> problems(
            String limitField, String limit, String sampleField, String sample, String seedField, String seed) {
        var out = new ArrayList<String>();
        for (String p : new String[] {
            countProblem(limitField, limit), countProblem(sampleField, sample), seedProblem(seedField, seed)
        }) if (p != null) out.add(p);
        return out;
    }
}
