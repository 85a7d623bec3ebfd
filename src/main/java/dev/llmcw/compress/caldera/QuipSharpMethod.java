package dev.llmcw.compress.caldera;

import dev.llmcw.compress.calibration.CalibrationSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QuIP# without fine-tuning, run as CALDERA at rank 0 (E8P12, randomised Hadamard, LDLQ) under the name
 * {@value QuipSharpDescriptor#ID}. It records QuIP#'s own knobs rather than CALDERA's factor settings, which
 * mean nothing at rank 0, so its runs are labelled and compared as QuIP#.
 */
public final class QuipSharpMethod extends CalderaMethod {
    public QuipSharpMethod(CalderaOptions options, CalibrationSpec calibration) {
        super(QuipSharpDescriptor.ID, options, calibration);
        if (options.rank() != 0 || !options.quantizer().equals("e8p") || !options.hadamard())
            throw new IllegalArgumentException(
                    "QuIP# is rank 0 with the e8p quantizer and the Hadamard transform: " + options);
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bits", Integer.toString(options().qBits()));
        m.put("codebook", "E8P12");
        m.put("incoherence", "randomized-hadamard");
        m.put("seed", Long.toString(options().seed()));
        m.put("calibration", calibration().describe());
        m.put("hadamard_odd_block", "random-orthogonal");
        return m;
    }
}
