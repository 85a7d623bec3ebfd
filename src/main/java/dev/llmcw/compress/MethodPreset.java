package dev.llmcw.compress;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A named setting of some of a method's knobs ("4-bit (C=8, P=3, K=16)"), offered by the GUI. */
public record MethodPreset(String label, Map<String, String> values) {
    public MethodPreset {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A preset from key, value pairs, in that order. */
    public static MethodPreset of(String label, String... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("preset " + label + ": key without a value");
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < keyValues.length; i += 2) m.put(keyValues[i], keyValues[i + 1]);
        return new MethodPreset(label, m);
    }

    @Override
    public String toString() {
        return label;
    }
}
