package dev.llmcw.util;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and machine load for benchmarks and timing reports: on a shared machine wall time says more
 * about the neighbours than about our code, so timings are reported with CPU time and the load beside them.
 */
public final class ProcessStats {
    private ProcessStats() {}

    /** CPU time of this process (all threads, JIT and GC included) in nanoseconds, or -1 where the JVM does not report it. */
    public static long cpuNanos() {
        try {
            return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                    ? os.getProcessCpuTime()
                    : -1;
        } catch (NoClassDefFoundError e) {
            return -1; // a runtime linked without jdk.management
        }
    }

    /** {@link #cpuNanos} in seconds, or NaN where the JVM does not report it. */
    public static double cpuSeconds() {
        long n = cpuNanos();
        return n < 0 ? Double.NaN : n / 1e9;
    }

    /** Peak resident set size of this process in bytes (Linux {@code VmHWM}), or -1 where it is not reported. */
    public static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return -1;
    }

    /** The system's one-minute load average, or a negative value where it is not available. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
