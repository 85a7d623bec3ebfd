package dev.llmcw.eval.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Task names as the CLI and UI use them (lm-eval's names where lm-eval has the task). */
public final class TaskRegistry {
    /** Every task name, in the order reports list them. */
    public static final List<String> NAMES = List.of("piqa", "hellaswag", "arc_easy", "arc_challenge", "winogrande", "boolq",
            "wikitext", "wikitext2_ppl", "tinystories_ppl", "cloze");

    private TaskRegistry() {}

    /**
     * @param clozeSeed seed of the cloze construction
     * @param textFile  for "text_ppl": the text file to score (documents separated by blank lines)
     */
    public static Task byName(String name, long clozeSeed, Path textFile) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "piqa" -> new PiqaTask();
            case "hellaswag" -> new HellaSwagTask();
            case "arc_easy" -> ArcTask.easy();
            case "arc_challenge" -> ArcTask.challenge();
            case "winogrande" -> new WinoGrandeTask();
            case "boolq" -> new BoolQTask();
            case "wikitext" -> new WikiTextTask();
            case "wikitext2_ppl" -> new WikiText2PapersTask();
            case "tinystories_ppl" -> TextPerplexityTask.tinyStories();
            case "cloze" -> ClozeTask.tinyStories(clozeSeed);
            case "text_ppl" -> {
                if (textFile == null) throw new IllegalArgumentException("text_ppl needs a text file (--text-file)");
                yield TextPerplexityTask.ofFile("text_ppl", textFile);
            }
            default -> throw new IllegalArgumentException("unknown task \"" + name + "\"; known: " + String.join(", ", NAMES) + ", text_ppl");
        };
    }

    public static List<Task> parse(String commaSeparated, long clozeSeed, Path textFile) {
        List<Task> out = new ArrayList<>();
        for (String n : commaSeparated.split(",")) if (!n.isBlank()) out.add(byName(n, clozeSeed, textFile));
        if (out.isEmpty()) throw new IllegalArgumentException("no tasks given");
        return out;
    }
}
