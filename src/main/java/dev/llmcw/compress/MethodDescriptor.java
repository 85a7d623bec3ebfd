package dev.llmcw.compress;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Everything the workbench knows about one compression method, in one place: its knobs (with types,
 * defaults, ranges and help), presets, how to build it, how its files are read back and how a setting is
 * labelled and coloured. Registered in {@link MethodRegistry}; the CLI's {@code compress} options, the GUI's
 * Compress form, suite keys and their validation are generated from it.
 */
public interface MethodDescriptor {
    /** "seedlm", "caldera", "rtn", "gptq": the method's name everywhere (files, results, suites). */
    String id();

    /** "SeedLM". */
    String displayName();

    /** The knobs, in the order forms and help list them. */
    List<MethodParameter> parameters();

    /** GUI presets; the first is selected when the method is. */
    default List<MethodPreset> presets() {
        return List.of();
    }

    /** The method with validated arguments. */
    CompressionMethod create(MethodArguments args);

    /** Reads this method's compressed files back. */
    CompressedFormat format();

    /** Stored bits per weight of a {@code rows × cols} tensor at this setting, before anything runs. */
    double bitsPerWeight(MethodArguments args, int rows, int cols);

    /** A short label of a recorded setting for tables and charts (from {@link CompressionMethod#parameters()}). */
    default String label(Map<String, String> params) {
        return parameters().stream()
                .filter(p -> p.inForm() && params.containsKey(p.key()))
                .map(p -> p.key() + "=" + params.get(p.key()))
                .collect(Collectors.joining(" "));
    }

    /** Chart colour as 0xRRGGBB, or -1 to take the next one from the charts' palette. */
    default int colour() {
        return -1;
    }

    /** Whether the method needs calibration text (it has a {@code calib} knob). */
    default boolean needsCalibration() {
        return parameters().stream().anyMatch(p -> p.key().equals("calib"));
    }

    default MethodParameter parameter(String key) {
        return parameters().stream()
                .filter(p -> p.key().equals(key))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(id() + " has no parameter " + key));
    }

    /**
     * Validates {@code params} (unknown keys, types, ranges) with one sentence per problem naming the method
     * and the key, so a typo never silently runs a default setting.
     */
    default MethodArguments arguments(Map<String, String> params, Path baseDir, Path hessianCache) {
        Set<String> known = parameters().stream().map(MethodParameter::key).collect(Collectors.toSet());
        Set<String> unknown = new HashSet<>(params.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty())
            throw new IllegalArgumentException(
                    id() + ": unknown parameter(s) " + new TreeSet<>(unknown) + "; known: " + new TreeSet<>(known));
        for (var e : params.entrySet()) {
            String problem = parameter(e.getKey()).validate(e.getValue(), e.getKey());
            if (problem != null) throw new IllegalArgumentException(id() + ": " + problem);
        }
        return new MethodArguments(this, params, baseDir, hessianCache);
    }

    /** Validates {@code params} and builds the method. */
    default CompressionMethod create(Map<String, String> params, Path baseDir, Path hessianCache) {
        return create(arguments(params, baseDir, hessianCache));
    }
}
