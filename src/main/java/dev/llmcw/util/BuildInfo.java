package dev.llmcw.util;

/** Version of this code, recorded with every result. */
public final class BuildInfo {
    private BuildInfo() {}

    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
