package dev.llmcw.suite;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.caldera.CalderaMethod;
import dev.llmcw.compress.caldera.CalderaOptions;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.gptq.GptqMethod;
import dev.llmcw.compress.rtn.RtnMethod;
import dev.llmcw.compress.seedlm.SeedLmMethod;
import dev.llmcw.results.WorkbenchHome;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds compression methods from suite parameters. Names follow each method's recorded parameters
 * and default like the {@code compress} command:
 * <ul>
 *   <li>seedlm: {@code bits} (preset 3 or 4) or {@code C}, {@code P}, {@code K}; {@code exponent_rule}, {@code per_tensor_scale}</li>
 *   <li>rtn: {@code bits} (4), {@code group} (128), {@code sym} (false)</li>
 *   <li>gptq: as rtn plus {@code act_order} (false), {@code damp} (0.01) and calibration</li>
 *   <li>caldera: {@code q_bits} (2), {@code lr_bits} (4), {@code rank} (64), {@code outer_iters} (20),
 *       {@code inner_iters} (50), {@code hadamard} (true), {@code quantizer} (scalar), {@code seed} (24301),
 *       {@code exact_svd} (false) and calibration</li>
 *   <li>calibration (gptq, caldera): {@code calib} text file (required; relative to the suite file),
 *       {@code calib_seqs} (128), {@code calib_len} (512); H is cached in {@code $WORKBENCH_HOME/hessian-cache}</li>
 * </ul>
 * Unknown names are errors, so a typo never silently runs a default setting.
 */
public final class SuiteMethods {
    private SuiteMethods() {}

    private static final Set<String> CALIB = Set.of("calib", "calib_seqs", "calib_len");

    /** @param baseDir folder that relative calibration paths resolve against (the suite file's) */
    public static CompressionMethod create(String method, Map<String, String> params, Path baseDir) {
        return create(method, params, baseDir, WorkbenchHome.dir().resolve("hessian-cache"));
    }

    /** As above, caching calibration statistics (H) in {@code hessianCache}. */
    public static CompressionMethod create(String method, Map<String, String> params, Path baseDir, Path hessianCache) {
        var p = new Params(method, params, hessianCache);
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "seedlm" -> {
                p.check(Set.of("bits", "C", "P", "K", "exponent_rule", "per_tensor_scale"));
                yield SeedLmMethod.fromOptions(p.integer("bits", null), p.integer("C", null), p.integer("P", null),
                        p.integer("K", null), params.get("exponent_rule"), p.bool("per_tensor_scale", false), null);
            }
            case "rtn" -> {
                p.check(Set.of("bits", "group", "sym"));
                yield new RtnMethod(p.integer("bits", 4), p.integer("group", 128), p.bool("sym", false));
            }
            case "gptq" -> {
                p.check(union(Set.of("bits", "group", "sym", "act_order", "damp"), CALIB));
                yield new GptqMethod(p.integer("bits", 4), p.integer("group", 128), p.bool("sym", false),
                        p.bool("act_order", false), p.decimal("damp", 0.01), p.calibration(baseDir));
            }
            case "caldera" -> {
                p.check(union(Set.of("q_bits", "lr_bits", "rank", "outer_iters", "inner_iters", "hadamard", "quantizer",
                        "seed", "exact_svd"), CALIB));
                yield new CalderaMethod(new CalderaOptions(p.integer("q_bits", 2), p.integer("lr_bits", 4), p.integer("rank", 64),
                        p.integer("outer_iters", 20), p.integer("inner_iters", 50), p.bool("hadamard", true),
                        params.getOrDefault("quantizer", "scalar"), p.integer("seed", 24301), p.bool("exact_svd", false)),
                        p.calibration(baseDir));
            }
            default -> throw new IllegalArgumentException("unknown compression method '" + method + "' (seedlm, caldera, rtn, gptq)");
        };
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private record Params(String method, Map<String, String> map, Path hessianCache) {
        void check(Set<String> known) {
            Set<String> unknown = new HashSet<>(map.keySet());
            unknown.removeAll(known);
            if (!unknown.isEmpty())
                throw new IllegalArgumentException(method + ": unknown parameter(s) " + unknown + "; known: " + new java.util.TreeSet<>(known));
        }

        Integer integer(String key, Integer dflt) {
            String v = map.get(key);
            if (v == null) return dflt;
            try {
                return Integer.valueOf(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(method + ": parameter " + key + " must be an integer, got '" + v + "'");
            }
        }

        double decimal(String key, double dflt) {
            String v = map.get(key);
            if (v == null) return dflt;
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(method + ": parameter " + key + " must be a number, got '" + v + "'");
            }
        }

        boolean bool(String key, boolean dflt) {
            String v = map.get(key);
            if (v == null) return dflt;
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false"))
                throw new IllegalArgumentException(method + ": parameter " + key + " must be true or false, got '" + v + "'");
            return Boolean.parseBoolean(v);
        }

        CalibrationSpec calibration(Path baseDir) {
            String file = map.get("calib");
            if (file == null) throw new IllegalArgumentException(method + " needs a calibration text file: parameter calib");
            return CalibrationSpec.of(baseDir.resolve(file).normalize(), integer("calib_seqs", 128), integer("calib_len", 512),
                    hessianCache);
        }
    }
}
