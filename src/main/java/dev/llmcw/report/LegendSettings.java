package dev.llmcw.report;

import dev.llmcw.compress.MethodRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings short enough for a chart legend: {@code C=8 P=3 K=16} → "C8 P3 K16", {@code bits=4 group=128}
 * → "4-bit g128", a K-quant {@code type=Q4_K_M} → "Q4_K_M". Switches that are on appear by name; off, "none" and
 * file paths are left to the tooltip. Methods are named as their papers and tables name them ("QuIP#", "SeedLM").
 */
final class LegendSettings {
    /**
     * More settings than this in one legend entry and it ends in "…": a legend is not a table. Five keeps
     * llama-quantize's usual ladder (Q2_K, Q3_K_M, Q4_K_M, Q5_K_M, Q6_K) whole.
     */
    static final int MAX_PER_ENTRY = 5;

    private static final List<String> PAPER_ORDER = List.of("C", "P", "K");

    private LegendSettings() {}

    static String compact(Map<String, String> parameters) {
        var parts = new ArrayList<String>();
        String bits = parameters.get("bits");
        if (bits != null) parts.add(bits + "-bit");
        // a kquant type or mix ("Q4_K_M") is the setting itself, named first
        String type = parameters.get("type");
        if (type != null && !type.isBlank()) parts.add(type.trim());
        // SeedLM's letters in the paper's order (C, P, K), the rest alphabetical.
        var ordered = new TreeMap<String, String>(Comparator.comparing(
                        (String k) -> PAPER_ORDER.indexOf(k) < 0 ? PAPER_ORDER.size() : PAPER_ORDER.indexOf(k))
                .thenComparing(Comparator.naturalOrder()));
        ordered.putAll(parameters);
        for (var e : ordered.entrySet()) {
            String k = e.getKey(), v = e.getValue() == null ? "" : e.getValue().trim();
            String lower = v.toLowerCase(Locale.ROOT);
            if (k.equals("bits")
                    || k.equals("type")
                    || v.isEmpty()
                    || lower.equals("false")
                    || lower.equals("none")
                    || v.contains("/")) continue;
            if (k.equals("group") || k.equals("group_size")) parts.add("g" + v);
            else if (k.equals("rank")) parts.add("r" + v);
            else if (k.length() == 1) parts.add(k + v);
            else if (lower.equals("true")) parts.add(k);
        }
        return String.join(" ", parts);
    }

    /**
     * The settings of a run for its legend entry, with the method's default bit width when the run did not
     * record one (a QuIP# run stored as {@code {}} is "2-bit", as its paper's tables say).
     */
    static String compact(String method, Map<String, String> parameters) {
        if (parameters.containsKey("bits")) return compact(parameters);
        String bits = MethodRegistry.find(method).stream()
                .flatMap(d -> d.parameters().stream())
                .filter(p -> p.key().equals("bits") && p.defaultValue() != null)
                .map(p -> p.defaultValue())
                .findFirst()
                .orElse(null);
        if (bits == null) return compact(parameters);
        var withBits = new TreeMap<>(parameters);
        withBits.put("bits", bits);
        return compact(withBits);
    }

    /** "SeedLM C8 P3 K16" for one setting, "RTN 2-bit g128, 3-bit g128, 4-bit g128" for several. */
    static String entry(String series, List<String> settings) {
        String method = displayName(series);
        var distinct = settings.stream().filter(s -> !s.isEmpty()).distinct().toList();
        if (distinct.isEmpty()) return method;
        String shown = String.join(", ", distinct.subList(0, Math.min(MAX_PER_ENTRY, distinct.size())));
        return method + " " + shown + (distinct.size() > MAX_PER_ENTRY ? ", …" : "");
    }

    /**
     * A series key with its method id replaced by the method's display name: "quip-sharp" → "QuIP#",
     * "caldera (adapted)" → "CALDERA (adapted)", "seedlm [first 100]" → "SeedLM [first 100]"; anything that is
     * not a registered method (the base model, a paper overlay) stays as it is.
     */
    static String displayName(String series) {
        int end = series.indexOf(' ');
        String id = end < 0 ? series : series.substring(0, end);
        return MethodRegistry.find(id)
                .map(d -> d.displayName() + series.substring(id.length()))
                .orElse(series);
    }
}
