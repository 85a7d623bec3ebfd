package dev.llmcw.eval;

import dev.llmcw.eval.tasks.ArcTask;
import dev.llmcw.eval.tasks.BoolQTask;
import dev.llmcw.eval.tasks.C4Task;
import dev.llmcw.eval.tasks.ClozeTask;
import dev.llmcw.eval.tasks.HellaSwagTask;
import dev.llmcw.eval.tasks.LambadaTask;
import dev.llmcw.eval.tasks.PiqaTask;
import dev.llmcw.eval.tasks.RteTask;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.eval.tasks.TextPerplexityTask;
import dev.llmcw.eval.tasks.WikiText2PapersTask;
import dev.llmcw.eval.tasks.WikiTextTask;
import dev.llmcw.eval.tasks.WinoGrandeTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The tasks the workbench can run, one line each, in the order reports list them. The CLI (help and
 * validation), the GUI's task list and suites read this; a new task is one {@link Task} class plus one
 * {@link #register} call (tests register toy tasks the same way and {@link #unregister} them after).
 */
public final class TaskRegistry {
    private static final Map<String, TaskDescriptor> TASKS = new LinkedHashMap<>();

    static {
        register(TaskDescriptor.multipleChoice(
                "piqa", "PIQA", "piqa/valid.jsonl (+ valid-labels.lst)", 0.5, true, p -> new PiqaTask()));
        register(TaskDescriptor.multipleChoice(
                "hellaswag", "HellaSwag", "hellaswag/hellaswag_val.jsonl", 0.25, true, p -> new HellaSwagTask()));
        // ARC items have 3 to 5 choices: no single chance level
        register(TaskDescriptor.multipleChoice(
                "arc_easy", "ARC-Easy", "arc/ARC-Easy-test.normalized.jsonl", null, true, p -> ArcTask.easy()));
        register(TaskDescriptor.multipleChoice(
                "arc_challenge",
                "ARC-Challenge",
                "arc/ARC-Challenge-test.normalized.jsonl",
                null,
                true,
                p -> ArcTask.challenge()));
        register(TaskDescriptor.multipleChoice(
                "winogrande",
                "WinoGrande",
                "winogrande/dev.normalized.jsonl (+ dev-labels.lst)",
                0.5,
                false,
                p -> new WinoGrandeTask()));
        register(TaskDescriptor.multipleChoice("boolq", "BoolQ", "boolq/val.jsonl", 0.5, false, p -> new BoolQTask()));
        register(TaskDescriptor.multipleChoice(
                "rte", "RTE (GLUE)", "rte/validation.jsonl or GLUE RTE/dev.tsv", 0.5, false, p -> new RteTask()));
        register(TaskDescriptor.loglikelihood(
                "lambada_openai", "LAMBADA (OpenAI)", "lambada_openai/lambada_test.jsonl", p -> new LambadaTask()));
        register(TaskDescriptor.rollingPerplexity(
                "wikitext", "WikiText-2 (lm-eval)", "wikitext2/wiki.test.raw", p -> new WikiTextTask()));
        register(TaskDescriptor.chunkedPerplexity(
                "wikitext2_ppl",
                "WikiText-2 (papers' ppl)",
                "wikitext2/wiki.test.raw",
                p -> new WikiText2PapersTask()));
        register(TaskDescriptor.chunkedPerplexity(
                "c4", "C4 validation (papers' ppl)", "c4/c4-validation.00000-of-00008.json.gz", p -> new C4Task()));
        register(TaskDescriptor.rollingPerplexity(
                "tinystories_ppl",
                "TinyStories perplexity",
                "tinystories/tinystories_val_subset.txt",
                p -> TextPerplexityTask.tinyStories()));
        register(TaskDescriptor.multipleChoice(
                "cloze",
                "Cloze (TinyStories)",
                "tinystories/tinystories_val_subset.txt",
                0.25,
                true,
                p -> ClozeTask.tinyStories(p.seed())));
        register(TaskDescriptor.rollingPerplexity(
                        "text_ppl",
                        "Text file perplexity",
                        "--text-file",
                        p -> TextPerplexityTask.ofFile("text_ppl", p.textFile()))
                .needingTextFile());
    }

    private TaskRegistry() {}

    /** Adds a task; its name must be new. */
    public static synchronized void register(TaskDescriptor d) {
        if (TASKS.containsKey(d.name()))
            throw new IllegalArgumentException("task " + d.name() + " is already registered");
        TASKS.put(d.name(), d);
    }

    /** Removes a task (tests that registered one); true when it was there. */
    public static synchronized boolean unregister(String name) {
        return TASKS.remove(name) != null;
    }

    /** Every registered task, in registration order. */
    public static synchronized List<TaskDescriptor> all() {
        return List.copyOf(TASKS.values());
    }

    /** Every registered task's name, in registration order. */
    public static List<String> names() {
        return all().stream().map(TaskDescriptor::name).toList();
    }

    /** The tasks that run on a data folder alone (no --text-file): what the GUI offers. */
    public static List<TaskDescriptor> onDataFolder() {
        return all().stream().filter(d -> !d.needsTextFile()).toList();
    }

    public static synchronized Optional<TaskDescriptor> find(String name) {
        return Optional.ofNullable(TASKS.get(name.trim().toLowerCase(Locale.ROOT)));
    }

    /** The descriptor of a task name (case and surrounding spaces ignored); an unknown name is an error listing the known ones. */
    public static TaskDescriptor descriptor(String name) {
        return find(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown task \"" + name + "\"; known: " + String.join(", ", names())));
    }

    /**
     * @param seed     seed of the cloze construction
     * @param textFile for tasks that score a named file (text_ppl), else ignored; may be null
     */
    public static Task create(String name, long seed, Path textFile) {
        return descriptor(name).create(seed, textFile);
    }

    /** Tasks from a comma-separated list of names. */
    public static List<Task> parse(String commaSeparated, long seed, Path textFile) {
        List<Task> out = new ArrayList<>();
        for (String n : commaSeparated.split(",")) if (!n.isBlank()) out.add(create(n, seed, textFile));
        if (out.isEmpty()) throw new IllegalArgumentException("no tasks given");
        return out;
    }
}
