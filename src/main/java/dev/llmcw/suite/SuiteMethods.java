package dev.llmcw.suite;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.results.WorkbenchHome;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds compression methods from suite parameters: the keys, defaults and validation are the method's
 * {@link dev.llmcw.compress.MethodDescriptor} parameters (the same names the {@code compress} command and
 * the GUI use). Calibration files resolve against the suite file's folder; statistics (H) are cached in
 * {@code $WORKBENCH_HOME/hessian-cache}. Unknown names are errors, so a typo never silently runs a default setting.
 */
public final class SuiteMethods {
    private SuiteMethods() {}

    /** @param baseDir folder that relative calibration paths resolve against (the suite file's) */
    public static CompressionMethod create(String method, Map<String, String> params, Path baseDir) {
        return create(method, params, baseDir, WorkbenchHome.dir().resolve("hessian-cache"));
    }

    /** As above, caching calibration statistics (H) in {@code hessianCache}. */
    public static CompressionMethod create(String method, Map<String, String> params, Path baseDir, Path hessianCache) {
        return MethodRegistry.get(method).create(params, baseDir, hessianCache);
    }
}
