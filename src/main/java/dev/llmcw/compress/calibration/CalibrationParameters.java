package dev.llmcw.compress.calibration;

import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodParameter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The calibration knobs every method that needs activation statistics shares (GPTQ, CALDERA, AWQ): the text
 * file, how many sequences and how long; defined once here and appended to those methods' parameters.
 */
public final class CalibrationParameters {
    private CalibrationParameters() {}

    public static final List<MethodParameter> ALL = List.of(
            MethodParameter.file(
                            "calib",
                            "Calibration file",
                            "calibration text file, tokenised by the model's tokenizer "
                                    + "(GUI default: TinyStories sample)")
                    .asAdvanced(),
            MethodParameter.integer("calib_seqs", "Calibration sequences", 128, 1, 4096, "calibration sequences N")
                    .asAdvanced(),
            MethodParameter.integer(
                            "calib_len", "Calibration length", 512, 8, 8192, "tokens per calibration sequence L")
                    .asAdvanced());

    /** {@code key}'s value in {@code params} as given (CLI, suite, GUI), else its default here. */
    public static int integer(Map<String, String> params, String key) {
        String v = params.get(key);
        if (v == null || v.isBlank())
            v = ALL.stream()
                    .filter(p -> p.key().equals(key))
                    .map(MethodParameter::defaultValue)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no calibration parameter " + key));
        return Integer.parseInt(v.strip());
    }

    /** The calibration the arguments describe; statistics are cached under the arguments' hessian cache. */
    public static CalibrationSpec spec(String method, MethodArguments args) {
        Path file = args.file("calib");
        if (file == null)
            throw new IllegalArgumentException(method + " needs a calibration text file: parameter calib");
        return CalibrationSpec.of(file, args.integer("calib_seqs"), args.integer("calib_len"), args.hessianCache());
    }
}
