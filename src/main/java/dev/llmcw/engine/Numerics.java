package dev.llmcw.engine;

import dev.llmcw.tensor.IntegerActivations;
import java.util.Locale;

/**
 * Which arithmetic the engine follows. {@link #WORKBENCH} (the default) is the workbench's own: float keys and
 * values, exact float products in prefill. {@link #LLAMA_CPP} repeats what llama.cpp's CPU backend computes with
 * its default flags, to compare perplexities with {@code llama-perplexity} to the last 0.1 %: keys and values
 * rounded to F16 as its cache stores them, its flash-attention order ({@link LlamaCppAttention}), and the
 * quantized activations with integer dot products in every batch ({@link IntegerActivations#setPrefill}).
 * Set by the property {@code workbench.numerics} ({@code workbench} or {@code llama.cpp}) or {@link #set}.
 */
public enum Numerics {
    WORKBENCH("workbench"),
    LLAMA_CPP("llama.cpp");

    private final String label;

    Numerics(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    private static volatile Numerics current = parse(System.getProperty("workbench.numerics", "workbench"));
    /** The integer-prefill setting before {@link #LLAMA_CPP} switched it on, restored when switched off. */
    private static volatile boolean prefillBefore = IntegerActivations.prefill();

    static {
        if (current == LLAMA_CPP) IntegerActivations.setPrefill(true);
    }

    public static Numerics current() {
        return current;
    }

    static boolean llamaCpp() {
        return current == LLAMA_CPP;
    }

    /** Switches the engine's arithmetic for every engine of this JVM; returns the previous setting. */
    public static synchronized Numerics set(Numerics n) {
        Numerics was = current;
        if (n == was) return was;
        if (n == LLAMA_CPP) {
            prefillBefore = IntegerActivations.prefill();
            IntegerActivations.setPrefill(true);
        } else {
            IntegerActivations.setPrefill(prefillBefore);
        }
        current = n;
        return was;
    }

    /** {@code workbench} or {@code llama.cpp} (case-insensitive). */
    public static Numerics parse(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        for (Numerics n : values()) if (n.label.equals(s)) return n;
        throw new IllegalArgumentException("numerics must be workbench or llama.cpp, got '" + name + "'");
    }
}
