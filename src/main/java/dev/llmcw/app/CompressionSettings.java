package dev.llmcw.app;

import java.util.Map;
import java.util.TreeMap;

/** A compression method name plus its parameters as the user entered them. */
public record CompressionSettings(String method, Map<String, String> parameters) {
    public CompressionSettings {
        parameters = Map.copyOf(parameters);
    }

    @Override
    public String toString() {
        var sb = new StringBuilder(method);
        new TreeMap<>(parameters)
                .forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
