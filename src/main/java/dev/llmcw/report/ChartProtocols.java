package dev.llmcw.report;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The protocols ({@link dev.llmcw.results.RunProtocol#label}) a chart's points were measured with. A chart
 * whose points share one protocol draws one series per method; one that mixes protocols draws one series
 * per method and protocol, names the protocol in the legend and says so under the title.
 */
public final class ChartProtocols {
    private ChartProtocols() {}

    /** Distinct known protocols, the one with the most items first (ties: first seen). */
    public static <T> List<String> of(List<T> items, Function<T, String> protocol) {
        var counts = new LinkedHashMap<String, Integer>();
        for (T t : items) {
            String p = protocol.apply(t);
            if (p != null && !p.isEmpty()) counts.merge(p, 1, Integer::sum);
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The series a point belongs to: its method, with the protocol when the chart mixes protocols. */
    static String series(ChartPoint p, boolean mixed) {
        return mixed && !p.protocol().isEmpty() ? p.method() + " [" + p.protocol() + "]" : p.method();
    }

    /** The subtitle note of a chart with these protocols, or null when they are unknown. */
    static String note(List<String> protocols) {
        if (protocols.isEmpty()) return null;
        if (protocols.size() == 1) return "protocol: " + protocols.getFirst();
        return "MIXED PROTOCOLS (" + String.join("; ", protocols)
                + "): one series per protocol, values of different protocols are not comparable";
    }
}
