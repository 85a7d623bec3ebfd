package dev.llmcw.cli;

import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The {@code compress} options generated from method descriptors, and the parameters read back from a
 * parse. A name several methods use (--bits, --calib) is one option whose help lists each meaning.
 */
final class MethodOptions {
    private MethodOptions() {}

    /** One option name and every (method, knob) it sets. */
    private record Shared(List<String> names, List<MethodDescriptor> methods, List<MethodParameter> knobs) {}

    static List<OptionSpec> of(List<MethodDescriptor> methods) {
        Map<String, Shared> byName = new LinkedHashMap<>();
        for (MethodDescriptor d : methods) {
            for (MethodParameter p : d.parameters()) {
                Shared s = byName.get(p.cliNames().getFirst());
                if (s == null) {
                    s = new Shared(p.cliNames(), new ArrayList<>(), new ArrayList<>());
                    for (String n : p.cliNames()) byName.put(n, s);
                } else if (!s.names().equals(p.cliNames())
                        || (s.knobs().getFirst().type() == MethodParameter.Type.BOOLEAN)
                                != (p.type() == MethodParameter.Type.BOOLEAN)) {
                    throw new IllegalStateException(d.id() + ": option " + p.cliNames() + " clashes with " + s.names()
                            + " of " + s.methods().getFirst().id());
                }
                s.methods().add(d);
                s.knobs().add(p);
            }
        }
        return byName.values().stream().distinct().map(MethodOptions::option).toList();
    }

    private static OptionSpec option(Shared s) {
        MethodParameter first = s.knobs().getFirst();
        var b = OptionSpec.builder(s.names().toArray(String[]::new)).description(description(s));
        if (first.type() == MethodParameter.Type.BOOLEAN)
            return b.arity("0").type(boolean.class).build();
        return b.arity("1").type(String.class).paramLabel(paramLabel(first)).build();
    }

    /** "SeedLM: preset …; RTN, GPTQ: bits per weight before scales (default 4, 2..8)". */
    private static String description(Shared s) {
        Map<String, List<String>> methodsByText = new LinkedHashMap<>();
        for (int i = 0; i < s.knobs().size(); i++) {
            methodsByText
                    .computeIfAbsent(text(s.knobs().get(i)), k -> new ArrayList<>())
                    .add(s.methods().get(i).displayName());
        }
        return methodsByText.entrySet().stream()
                .map(e -> String.join(", ", e.getValue()) + ": " + e.getKey())
                .collect(Collectors.joining("; "));
    }

    private static String text(MethodParameter p) {
        List<String> notes = new ArrayList<>();
        if (p.defaultValue() != null && p.type() != MethodParameter.Type.BOOLEAN)
            notes.add("default " + p.defaultValue());
        if (p.type() == MethodParameter.Type.INTEGER || p.type() == MethodParameter.Type.DECIMAL) notes.add(range(p));
        return p.help() + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
    }

    private static String range(MethodParameter p) {
        boolean unbounded = p.min() <= Integer.MIN_VALUE && p.max() >= Integer.MAX_VALUE;
        return unbounded ? "any integer" : number(p.min()) + ".." + number(p.max());
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String paramLabel(MethodParameter p) {
        return switch (p.type()) {
            case FILE -> "<file>";
            case CHOICE -> "<" + String.join("|", p.options()) + ">";
            case DECIMAL -> "<x>";
            default -> "<n>";
        };
    }

    /**
     * The method's preset (the GUI's list) named {@code name}: its label, or the start of exactly one label,
     * ignoring case ("official" for CALDERA's "Official recipe: …").
     */
    static MethodPreset preset(MethodDescriptor d, String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        List<MethodPreset> all = d.presets();
        var exact = all.stream()
                .filter(p -> p.label().toLowerCase(Locale.ROOT).equals(key))
                .findFirst();
        if (exact.isPresent()) return exact.get();
        var prefixed = all.stream()
                .filter(p -> p.label().toLowerCase(Locale.ROOT).startsWith(key))
                .toList();
        if (prefixed.size() == 1) return prefixed.getFirst();
        String known = all.isEmpty()
                ? "it has none"
                : "its presets: "
                        + all.stream().map(p -> "\"" + p.label() + "\"").collect(Collectors.joining(", "));
        throw new IllegalArgumentException("--preset \"" + name + "\" "
                + (prefixed.isEmpty() ? "names no preset" : "matches " + prefixed.size() + " presets") + " of "
                + d.displayName() + "; " + known);
    }

    /** The chosen method's parameters that the command line gave, as text (files made absolute). */
    static Map<String, String> values(MethodDescriptor d, ParseResult parse) {
        Map<String, String> params = new LinkedHashMap<>();
        for (MethodParameter p : d.parameters()) {
            for (String name : p.cliNames()) {
                if (!parse.hasMatchedOption(name)) continue;
                String v;
                if (p.type() == MethodParameter.Type.BOOLEAN) v = Boolean.toString(!MethodParameter.negates(name));
                else v = Objects.requireNonNull(parse.matchedOptionValue(name, (String) null));
                if (p.type() == MethodParameter.Type.FILE)
                    v = Path.of(v).toAbsolutePath().toString();
                params.put(p.key(), v);
            }
        }
        return params;
    }
}
