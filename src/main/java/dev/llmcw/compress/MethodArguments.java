package dev.llmcw.compress;

import java.nio.file.Path;
import java.util.Map;

/**
 * A method's parameters after validation against its {@link MethodDescriptor}, read with their types;
 * a knob not given reads as its default. File knobs resolve against {@link #baseDir()} (the suite file's
 * folder, or the working directory for the CLI).
 */
public final class MethodArguments {
    private final MethodDescriptor method;
    private final Map<String, String> values;
    private final Path baseDir;
    private final Path hessianCache;

    MethodArguments(MethodDescriptor method, Map<String, String> values, Path baseDir, Path hessianCache) {
        this.method = method;
        this.values = Map.copyOf(values);
        this.baseDir = baseDir;
        this.hessianCache = hessianCache;
    }

    public Path baseDir() {
        return baseDir;
    }

    /** Folder caching calibration statistics (H). */
    public Path hessianCache() {
        return hessianCache;
    }

    /** Whether the caller gave {@code key} (as opposed to its default applying). */
    public boolean given(String key) {
        return values.containsKey(key);
    }

    /** The text value, or the default; null for an optional knob not given. */
    public String text(String key) {
        String v = values.get(key);
        return v != null && !v.isBlank() ? v.trim() : method.parameter(key).defaultValue();
    }

    /** An integer knob, or null when optional and not given. */
    public Integer integerOrNull(String key) {
        String v = text(key);
        return v == null ? null : Integer.valueOf(v);
    }

    public int integer(String key) {
        return required(key, integerOrNull(key));
    }

    public long longValue(String key) {
        return Long.parseLong(required(key, text(key)));
    }

    public double decimal(String key) {
        return Double.parseDouble(required(key, text(key)));
    }

    public boolean bool(String key) {
        return Boolean.parseBoolean(required(key, text(key)));
    }

    /** A file knob resolved against {@link #baseDir()}, or null when not given. */
    public Path file(String key) {
        String v = text(key);
        return v == null ? null : baseDir.resolve(v).normalize();
    }

    private <T> T required(String key, T value) {
        if (value == null)
            throw new IllegalArgumentException(method.id() + ": parameter " + key + " has no value and no default");
        return value;
    }
}
