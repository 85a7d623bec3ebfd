package dev.llmcw.app;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.caldera.CalderaMethod;
import dev.llmcw.compress.caldera.CalderaOptions;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.gptq.GptqMethod;
import dev.llmcw.compress.rtn.RtnMethod;
import dev.llmcw.compress.seedlm.SeedLmMethod;
import dev.llmcw.data.DatasetCatalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The compression methods of this build, built from the Compress view's parameters (named as the
 * methods record them). CALDERA and GPTQ calibrate on a text file: the one given, else the
 * TinyStories text the dataset catalogue finds (download, shared data or the repository sample).
 */
public final class DefaultCompressionService implements CompressionService {
    private final Path hessianCache;

    public DefaultCompressionService(Path workspace) {
        this.hessianCache = workspace.resolve("hessian-cache");
    }

    @Override
    public List<MethodInfo> methods() {
        return List.of(
                new MethodInfo("seedlm", "SeedLM", true, ""),
                new MethodInfo("caldera", "CALDERA", true, ""),
                new MethodInfo("rtn", "RTN", true, ""),
                new MethodInfo("gptq", "GPTQ", true, ""));
    }

    @Override
    public CompressionMethod create(CompressionSettings settings) {
        Map<String, String> p = settings.parameters();
        return switch (settings.method()) {
            case "seedlm" -> SeedLmMethod.fromOptions(null, integer(p, "C", null), integer(p, "P", null), integer(p, "K", null),
                    p.get("exponent_rule"), bool(p, "per_tensor_scale"), null);
            case "rtn" -> new RtnMethod(integer(p, "bits", 4), integer(p, "group", 128), bool(p, "sym"));
            case "gptq" -> new GptqMethod(integer(p, "bits", 4), integer(p, "group", 128), bool(p, "sym"), bool(p, "act_order"),
                    number(p, "damp", 0.01), calibration(p));
            case "caldera" -> {
                var d = CalderaOptions.defaults();
                yield new CalderaMethod(new CalderaOptions(integer(p, "q_bits", d.qBits()), integer(p, "lr_bits", d.lrBits()),
                        integer(p, "rank", d.rank()), integer(p, "outer_iters", d.outerIters()), integer(p, "inner_iters", d.innerIters()),
                        !p.containsKey("hadamard") || bool(p, "hadamard"), p.getOrDefault("quantizer", d.quantizer()), d.seed(),
                        bool(p, "exact_svd")), calibration(p));
            }
            default -> throw new IllegalArgumentException("unknown compression method " + settings.method());
        };
    }

    private CalibrationSpec calibration(Map<String, String> p) {
        String f = p.get("calibration");
        Path file = f != null && !f.isBlank() ? Path.of(f)
                : DatasetCatalog.standard().locate("tinystories").map(DatasetCatalog.LocalDataset::file)
                .orElseThrow(() -> new IllegalArgumentException("no calibration text: choose a calibration file"));
        return CalibrationSpec.of(file, integer(p, "calib_seqs", 128), integer(p, "calib_len", 512), hessianCache);
    }

    static Integer integer(Map<String, String> p, String key, Integer def) {
        String v = p.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
        }
    }

    static double number(Map<String, String> p, String key, double def) {
        String v = p.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, not '" + v + "'");
        }
    }

    static boolean bool(Map<String, String> p, String key) {
        return Boolean.parseBoolean(p.getOrDefault(key, "false").trim());
    }
}
