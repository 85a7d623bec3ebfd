package dev.llmcw.util;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

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

    /** The system's one-minute load average, or a negative value where it is not available. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
