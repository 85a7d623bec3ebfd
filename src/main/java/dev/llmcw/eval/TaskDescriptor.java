package dev.llmcw.eval;

import dev.llmcw.eval.tasks.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the workbench knows about a task before it reads any data: its name (as the CLI, suites and
 * stored runs spell it), the name people read, where its data lives, how items are scored, which metrics
 * it reports and which way they improve, and the chance level where one exists. The {@link Task} it
 * creates parses the dataset into items (prompts and choices); the scoring rule decides how those become
 * model requests. Registered in {@link TaskRegistry}.
 *
 * @param dataset       where the data is looked up in the data folder (for help texts and error messages)
 * @param chance        accuracy of guessing uniformly at random, or null (perplexity tasks, varying choice counts)
 * @param needsTextFile the task scores a file the user names (--text-file), so it is not offered without one
 * @param factory       creates the task for a run (the cloze construction depends on the seed)
 */
public record TaskDescriptor(
        String name,
        String displayName,
        String dataset,
        ScoringRule scoring,
        List<Metric> metrics,
        Double chance,
        boolean needsTextFile,
        Factory factory) {

    /** How an item becomes model requests and a score. */
    public enum ScoringRule {
        /** lm-eval loglikelihood per choice; the highest (acc) or length-normalised (acc_norm) wins. */
        MULTIPLE_CHOICE,
        /** lm-eval loglikelihood_rolling per document. */
        ROLLING_PERPLEXITY,
        /** The papers' fixed chunks of the joined text. */
        CHUNKED_PERPLEXITY,
        /** lm-eval loglikelihood of one target per item (LAMBADA): perplexity and greedy accuracy. */
        LOGLIKELIHOOD
    }

    /** A reported metric, named as in results (lm-eval's names without the filter suffix). */
    public record Metric(String name, boolean higherIsBetter) {}

    /** What a run may choose about a task. */
    public record Params(long seed, Path textFile) {}

    @FunctionalInterface
    public interface Factory {
        Task create(Params params);
    }

    public TaskDescriptor {
        if (name == null || !name.matches("[a-z0-9_]+"))
            throw new IllegalArgumentException("task name \"" + name + "\" must be lower-case letters, digits and _");
        metrics = List.copyOf(metrics);
    }

    /** A multiple-choice task reporting acc (and acc_norm where lm-eval's metric_list has it). */
    public static TaskDescriptor multipleChoice(
            String name, String displayName, String dataset, Double chance, boolean accNorm, Factory factory) {
        List<Metric> m = new ArrayList<>(List.of(new Metric("acc", true)));
        if (accNorm) m.add(new Metric("acc_norm", true));
        return new TaskDescriptor(name, displayName, dataset, ScoringRule.MULTIPLE_CHOICE, m, chance, false, factory);
    }

    /** A rolling-loglikelihood perplexity task (word and byte perplexity, bits per byte, token perplexity). */
    public static TaskDescriptor rollingPerplexity(String name, String displayName, String dataset, Factory factory) {
        return new TaskDescriptor(
                name,
                displayName,
                dataset,
                ScoringRule.ROLLING_PERPLEXITY,
                List.of(
                        new Metric("word_perplexity", false),
                        new Metric("byte_perplexity", false),
                        new Metric("bits_per_byte", false),
                        new Metric("perplexity", false)),
                null,
                false,
                factory);
    }

    /** The papers' chunked perplexity (token perplexity only). */
    public static TaskDescriptor chunkedPerplexity(String name, String displayName, String dataset, Factory factory) {
        return new TaskDescriptor(
                name,
                displayName,
                dataset,
                ScoringRule.CHUNKED_PERPLEXITY,
                List.of(new Metric("perplexity", false)),
                null,
                false,
                factory);
    }

    /** lm-eval output_type loglikelihood: perplexity of the targets and acc (the target is the greedy continuation). */
    public static TaskDescriptor loglikelihood(String name, String displayName, String dataset, Factory factory) {
        return new TaskDescriptor(
                name,
                displayName,
                dataset,
                ScoringRule.LOGLIKELIHOOD,
                List.of(new Metric("perplexity", false), new Metric("acc", true)),
                null,
                false,
                factory);
    }

    /** The same task, scored on a file the user names. */
    public TaskDescriptor needingTextFile() {
        return new TaskDescriptor(name, displayName, dataset, scoring, metrics, chance, true, factory);
    }

    /** Creates the task; it must carry this descriptor's name (stored runs and run keys use it). */
    public Task create(long seed, Path textFile) {
        if (needsTextFile && textFile == null)
            throw new IllegalArgumentException(name + " needs a text file (--text-file)");
        Task t = factory.create(new Params(seed, textFile));
        if (!t.name().equals(name))
            throw new IllegalStateException("task descriptor " + name + " created a task named " + t.name());
        return t;
    }
}
