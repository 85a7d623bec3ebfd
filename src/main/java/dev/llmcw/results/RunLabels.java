package dev.llmcw.results;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a researcher wrote about a stored run: a name, tags and notes, and whether the run is hidden from
 * the Results table and the charts. None of it changes what the run measured.
 *
 * @param name   a short name shown instead of the setting, empty when none
 * @param tags   distinct tags in the order given, without blanks
 * @param notes  free text, empty when none
 * @param hidden left out of tables and charts unless hidden runs are asked for
 */
public record RunLabels(String name, List<String> tags, String notes, boolean hidden) {
    /** A run nobody has labelled. */
    public static final RunLabels NONE = new RunLabels("", List.of(), "", false);

    public RunLabels {
        name = name == null ? "" : name.strip();
        notes = notes == null ? "" : notes.strip();
        var distinct = new LinkedHashSet<String>();
        if (tags != null) for (String t : tags) if (t != null && !t.isBlank()) distinct.add(t.strip());
        tags = List.copyOf(distinct);
    }

    public RunLabels withName(String n) {
        return new RunLabels(n, tags, notes, hidden);
    }

    public RunLabels withTags(List<String> t) {
        return new RunLabels(name, t, notes, hidden);
    }

    public RunLabels withNotes(String n) {
        return new RunLabels(name, tags, n, hidden);
    }

    public RunLabels withHidden(boolean h) {
        return new RunLabels(name, tags, notes, h);
    }

    /** Tags as stored and typed: comma separated. */
    public String tagText() {
        return String.join(", ", tags);
    }

    /** Tags from text the user typed: separated by commas. */
    public static List<String> parseTags(String text) {
        return text == null ? List.of() : List.of(text.split(","));
    }
}
