package dev.llmcw;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Access to the shared, read-only test data (../shared or WORKBENCH_DATA). A missing file aborts the
 * test locally but FAILS it under CI=true, so CI never silently skips. Files listed in MANIFEST.json
 * are verified against their sha256 once per JVM.
 */
public final class TestData {
    private static final Map<String, Boolean> VERIFIED = new ConcurrentHashMap<>();
    private static volatile Map<String, String> manifest;

    private TestData() {}

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Path of a shared file such as "models/stories260K/stories260K.bin", verified against the manifest. */
    public static Path require(String relative) {
        Path p = DataPaths.shared(relative);
        if (!Files.exists(p)) {
            String msg = "shared test data missing: " + p + " (set WORKBENCH_DATA or -Dworkbench.data)";
            if (ci()) throw new AssertionError(msg);
            Assumptions.abort(msg);
        }
        if (Files.isRegularFile(p)) verify(relative, p);
        return p;
    }

    public static Path stories260K() {
        return require("models/stories260K/stories260K.bin");
    }

    public static Path tok512() {
        return require("models/stories260K/tok512.bin");
    }

    private static void verify(String relative, Path p) {
        VERIFIED.computeIfAbsent(relative, r -> {
            String want = manifest().get(r);
            if (want != null) {
                String got = Hashing.sha256(p);
                if (!want.equals(got)) throw new AssertionError(p + ": sha256 " + got + " != manifest " + want);
            }
            return true;
        });
    }

    private static Map<String, String> manifest() {
        if (manifest == null) {
            synchronized (TestData.class) {
                if (manifest == null) {
                    var m = new ConcurrentHashMap<String, String>();
                    try {
                        var root = new ObjectMapper()
                                .readTree(DataPaths.shared("MANIFEST.json").toFile());
                        for (var e : root)
                            m.put(e.get("path").asText(), e.get("sha256").asText());
                    } catch (Exception e) {
                        if (ci()) throw new AssertionError("cannot read shared MANIFEST.json: " + e.getMessage());
                    }
                    manifest = m;
                }
            }
        }
        return manifest;
    }
}
