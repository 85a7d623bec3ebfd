package dev.llmcw.app;

import dev.llmcw.compress.CompressionMethod;

import java.util.List;

/** The compression methods of this build. */
public final class DefaultCompressionService implements CompressionService {
    @Override
    public List<MethodInfo> methods() {
        return List.of(
                missing("seedlm", "SeedLM"),
                missing("caldera", "CALDERA"),
                missing("rtn", "RTN"),
                missing("gptq", "GPTQ"));
    }

    private static MethodInfo missing(String name, String display) {
        return new MethodInfo(name, display, false, display + " compression is not in this build yet.");
    }

    @Override
    public CompressionMethod create(CompressionSettings settings) {
        for (MethodInfo m : methods()) {
            if (m.name().equals(settings.method()) && !m.available()) throw new NotAvailableException(m.unavailableReason());
        }
        throw new IllegalArgumentException("unknown compression method " + settings.method());
    }
}
