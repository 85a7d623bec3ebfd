package dev.llmcw.suite;

import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paper presets shipped in {@code src/main/resources/suites/}: suite templates whose {@code {{model}}}
 * (and {@code {{calib}}}) are filled in with the model the user names, optionally with an item limit for
 * a quick run, and written as an ordinary suite file (so its report folder and relative paths have a
 * home, and the run can be repeated or edited).
 */
public final class SuitePresets {
    /** The presets, in the order the CLI help and the GUI list them. */
    public static final List<String> NAMES = List.of("seedlm-paper", "caldera-paper", "caldera-official");

    private static final Pattern LIMIT_LINE = Pattern.compile("(?m)^(\\s+)limit:.*$");
    private static final Pattern OPTIONS_LINE = Pattern.compile("(?m)^options:[ \\t]*$");

    private SuitePresets() {}

    /** The template text of a preset; an unknown name is an error listing the known ones. */
    public static String template(String name) {
        if (!NAMES.contains(name))
            throw new IllegalArgumentException(
                    "unknown suite preset \"" + name + "\"; known: " + String.join(", ", NAMES));
        try (InputStream in = SuitePresets.class.getResourceAsStream("/suites/" + name + ".yaml")) {
            if (in == null)
                throw new IllegalStateException(
                        "suite preset " + name + " is missing from the build (suites/" + name + ".yaml)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read suite preset " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The preset as suite text for {@code model}.
     *
     * @param calib calibration text for methods that calibrate (CALDERA)
     * @param limit items per task, or null for the preset's own (the full splits)
     */
    public static String text(String name, Path model, Path calib, Integer limit) {
        String t = template(name)
                .replace("\"{{model}}\"", yamlString(model.toAbsolutePath().normalize()))
                .replace("\"{{calib}}\"", yamlString(calib.toAbsolutePath().normalize()));
        if (limit == null) return t;
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive, got " + limit);
        Matcher m = LIMIT_LINE.matcher(t);
        if (m.find()) return m.replaceFirst("$1limit: " + limit);
        Matcher o = OPTIONS_LINE.matcher(t);
        if (!o.find()) return t + "options:\n  limit: " + limit + "\n";
        return t.substring(0, o.end()) + "\n  limit: " + limit + t.substring(o.end());
    }

    /** Writes {@link #text} to {@code dir/<name>.yaml} and returns that file. */
    public static Path write(String name, Path model, Path calib, Integer limit, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, text(name, model, calib, limit), StandardCharsets.UTF_8);
        return file;
    }

    /** stories260K from the shared data, when it is there: what a preset runs on when the user names no model. */
    public static Optional<Path> defaultModel() {
        Path p = DataPaths.shared("models/stories260K/stories260K.bin");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** TinyStories validation text: the shared subset, else the repository's sample. */
    public static Path defaultCalibration() {
        Path shared = DataPaths.shared("datasets/tinystories/tinystories_val_subset.txt");
        if (Files.isRegularFile(shared)) return shared;
        return DatasetCatalog.repositoryDatasetsDir()
                .map(d -> d.resolve("tinystories/sample/TinyStories-valid.txt"))
                .orElse(shared);
    }

    /** A JSON string is a YAML double-quoted scalar: backslashes and quotes in paths stay intact. */
    private static String yamlString(Path p) {
        return Json.write(p.toString());
    }
}
