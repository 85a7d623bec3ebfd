package dev.llmcw.compress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One knob of a compression method, the single place its type, default, range and help live: the CLI
 * options, the GUI form, suite keys and their validation are all generated from it.
 *
 * @param key          name in suites, the GUI and the recorded parameters ("rank", "calib_seqs")
 * @param label        what the GUI shows ("Rank k")
 * @param type         how the value is read and validated
 * @param defaultValue value used when none is given; null when the knob is optional without one (the method
 *                     then decides, e.g. SeedLM's C/P/K fall back to its bits preset)
 * @param min          smallest value (integer, decimal)
 * @param max          largest value (integer, decimal)
 * @param options      allowed values (choice)
 * @param help         one line for the CLI help and the GUI
 * @param advanced     hidden behind the GUI's "advanced" toggle
 * @param inForm       offered in the GUI form (false for knobs its presets set instead)
 * @param cliNames     option names of the {@code compress} command, legacy aliases included; a boolean's
 *                     name starting with "--no-" sets it false, any other sets it true
 */
public record MethodParameter(
        String key,
        String label,
        Type type,
        String defaultValue,
        double min,
        double max,
        List<String> options,
        String help,
        boolean advanced,
        boolean inForm,
        List<String> cliNames) {
    public enum Type {
        INTEGER,
        DECIMAL,
        BOOLEAN,
        CHOICE,
        FILE
    }

    public MethodParameter {
        options = List.copyOf(options);
        cliNames = List.copyOf(cliNames);
    }

    public static MethodParameter integer(String key, String label, Integer dflt, long min, long max, String help) {
        return new MethodParameter(
                key,
                label,
                Type.INTEGER,
                dflt == null ? null : dflt.toString(),
                min,
                max,
                List.of(),
                help,
                false,
                true,
                List.of(cliName(key)));
    }

    public static MethodParameter decimal(String key, String label, double dflt, double min, double max, String help) {
        return new MethodParameter(
                key,
                label,
                Type.DECIMAL,
                Double.toString(dflt),
                min,
                max,
                List.of(),
                help,
                false,
                true,
                List.of(cliName(key)));
    }

    public static MethodParameter bool(String key, String label, boolean dflt, String help) {
        return new MethodParameter(
                key,
                label,
                Type.BOOLEAN,
                Boolean.toString(dflt),
                0,
                0,
                List.of("false", "true"),
                help,
                false,
                true,
                List.of(cliName(key)));
    }

    public static MethodParameter choice(String key, String label, String dflt, String help, String... options) {
        return new MethodParameter(
                key, label, Type.CHOICE, dflt, 0, 0, List.of(options), help, false, true, List.of(cliName(key)));
    }

    public static MethodParameter file(String key, String label, String help) {
        return new MethodParameter(
                key, label, Type.FILE, null, 0, 0, List.of(), help, false, true, List.of(cliName(key)));
    }

    /** The conventional option name: "calib_seqs" → "--calib-seqs". */
    static String cliName(String key) {
        return "--" + key.replace('_', '-');
    }

    public MethodParameter asAdvanced() {
        return new MethodParameter(key, label, type, defaultValue, min, max, options, help, true, inForm, cliNames);
    }

    /** Not offered in the GUI form (set by its presets instead). */
    public MethodParameter notInForm() {
        return new MethodParameter(key, label, type, defaultValue, min, max, options, help, advanced, false, cliNames);
    }

    /** The {@code compress} command's option names for this knob, replacing the conventional one. */
    public MethodParameter cli(String... names) {
        return new MethodParameter(
                key, label, type, defaultValue, min, max, options, help, advanced, inForm, List.of(names));
    }

    public boolean optional() {
        return defaultValue == null;
    }

    /** Whether a CLI flag of this (boolean) knob sets it to false. */
    public static boolean negates(String cliName) {
        return cliName.startsWith("--no-");
    }

    /** Null when {@code value} is acceptable, else one sentence naming the knob. Blank means "use the default" (or none). */
    public String validate(String value) {
        return validate(value, label);
    }

    /** As {@link #validate(String)}, naming the knob {@code name} (suites and the CLI name it by its key). */
    public String validate(String value, String name) {
        if (value == null || value.isBlank()) return null;
        String v = value.trim();
        switch (type) {
            case BOOLEAN -> {
                return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")
                        ? null
                        : name + " must be true or false, not '" + v + "'";
            }
            case CHOICE -> {
                return options.stream().anyMatch(o -> o.equalsIgnoreCase(v))
                        ? null
                        : name + " must be one of " + String.join(", ", options);
            }
            case FILE -> {
                return null; // resolved against the caller's folder later; existence is checked where the path is final
            }
            default -> {
                double d;
                try {
                    d = type == Type.INTEGER ? Long.parseLong(v) : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    return name + " must be " + (type == Type.INTEGER ? "a whole number" : "a number") + ", not '" + v
                            + "'";
                }
                if (d < min || d > max) return name + " must be between " + fmt(min) + " and " + fmt(max);
                return null;
            }
        }
    }

    /** As {@link #validate}, and for a file knob also that the file exists (the GUI's check, with absolute paths). */
    public String validateWithFile(String value) {
        if (type == Type.FILE && value != null && !value.isBlank() && !Files.isRegularFile(Path.of(value.trim())))
            return label + ": no such file " + value.trim();
        return validate(value);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
