package dev.llmcw.app;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.seedlm.SeedLmMethod;

import java.util.List;
import java.util.Map;

/** The compression methods of this build, built from the Compress view's parameters. */
public final class DefaultCompressionService implements CompressionService {
    @Override
    public List<MethodInfo> methods() {
        return List.of(
                new MethodInfo("seedlm", "SeedLM", true, ""),
                missing("caldera", "CALDERA"),
                missing("rtn", "RTN"),
                missing("gptq", "GPTQ"));
    }

    private static MethodInfo missing(String name, String display) {
        return new MethodInfo(name, display, false, display + " compression is not in this build yet.");
    }

    @Override
    public CompressionMethod create(CompressionSettings settings) {
        Map<String, String> p = settings.parameters();
        return switch (settings.method()) {
            case "seedlm" -> SeedLmMethod.fromOptions(null, integer(p, "C"), integer(p, "P"), integer(p, "K"),
                    p.getOrDefault("exponent_rule", null), Boolean.parseBoolean(p.getOrDefault("per_tensor_scale", "false")), null);
            default -> {
                for (MethodInfo m : methods()) {
                    if (m.name().equals(settings.method()) && !m.available()) throw new NotAvailableException(m.unavailableReason());
                }
                throw new IllegalArgumentException("unknown compression method " + settings.method());
            }
        };
    }

    static Integer integer(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null || v.isBlank()) return null;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
        }
    }
}
