package dev.llmcw.suite;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.seedlm.SeedLmMethod;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds compression methods from suite parameters. Parameter names follow each method's recorded
 * parameters (SeedLM: {@code bits} preset or {@code C}, {@code P}, {@code K}, optional
 * {@code exponent_rule}, {@code per_tensor_scale}); unknown names are errors so a typo never runs
 * a default setting.
 */
public final class SuiteMethods {
    private SuiteMethods() {}

    public static CompressionMethod create(String method, Map<String, String> params) {
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "seedlm" -> {
                check(method, params, Set.of("bits", "C", "P", "K", "exponent_rule", "per_tensor_scale"));
                yield SeedLmMethod.fromOptions(integer(params, "bits"), integer(params, "C"), integer(params, "P"),
                        integer(params, "K"), params.get("exponent_rule"),
                        Boolean.parseBoolean(params.getOrDefault("per_tensor_scale", "false")), null);
            }
            // INTEGRATION POINT: caldera, rtn and gptq are added here when their CompressionMethods are on main.
            case "caldera", "rtn", "gptq" -> throw new IllegalArgumentException("compression method '" + method + "' is not available in this build");
            default -> throw new IllegalArgumentException("unknown compression method '" + method + "' (seedlm, caldera, rtn, gptq)");
        };
    }

    private static void check(String method, Map<String, String> params, Set<String> known) {
        Set<String> unknown = new HashSet<>(params.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) throw new IllegalArgumentException(method + ": unknown parameter(s) " + unknown + "; known: " + known);
    }

    private static Integer integer(Map<String, String> params, String key) {
        String v = params.get(key);
        if (v == null) return null;
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + key + " must be an integer, got '" + v + "'");
        }
    }
}
