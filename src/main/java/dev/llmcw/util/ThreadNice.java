package dev.llmcw.util;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Lowers the OS scheduling priority (raises the nice value) of the calling thread, on Linux; elsewhere, or
 * where the C library does not offer the calls, nothing happens. The engine's compute threads run a few
 * nice levels below the JVM's own threads: while C2 still has the kernels to compile (the first seconds of
 * a run) the compiler gets the cores first instead of sharing them with slow interpreted scoring, and a
 * busy engine leaves the GUI's and the rest of the machine's threads ahead of it. With nothing else
 * runnable a niced thread still gets a whole core, so steady-state speed is unchanged.
 * (Java's own Thread.setPriority is ignored on Linux unless the JVM runs with -XX:ThreadPriorityPolicy=1,
 * which warns at every start when not run as root.)
 */
public final class ThreadNice {
    private ThreadNice() {}

    /**
     * The nice value engine threads run at: 4 by default, {@code -Dworkbench.engineNice=N} to change it (0 keeps
     * them at normal priority). Higher values favour the JIT more in a cold run (nice 10 measured another
     * −0.2 s on cold PIQA) but give the engine less of a core shared with other busy programs (at nice 4
     * 29 % against one nice-0 program by the kernel's weights, at 10 about a tenth), so the default stays modest.
     */
    public static final int ENGINE = Math.max(0, Math.min(19, Integer.getInteger("workbench.engineNice", 4)));

    private static final MethodHandle GETTID, SETPRIORITY;

    static {
        MethodHandle gettid = null, setpriority = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                gettid = libc.find("gettid")
                        .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
                        .orElse(null);
                setpriority = libc.find("setpriority")
                        .map(a -> linker.downcallHandle(
                                a,
                                FunctionDescriptor.of(
                                        ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT)))
                        .orElse(null);
            } catch (RuntimeException | LinkageError e) {
                gettid = setpriority = null; // no native access here: run at normal priority
            }
        }
        GETTID = gettid;
        SETPRIORITY = setpriority;
    }

    /**
     * Sets the calling thread's nice value to {@code nice} when that lowers its priority; returns whether
     * it did (false off Linux, without native access, or when the thread already runs at that level or lower).
     */
    public static boolean lowerCurrentThread(int nice) {
        if (GETTID == null || SETPRIORITY == null || nice <= current()) return false;
        try {
            int tid = (int) GETTID.invokeExact();
            return (int) SETPRIORITY.invokeExact(0 /* PRIO_PROCESS: a Linux thread id names one thread */, tid, nice)
                    == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /** The calling thread's nice value as the kernel reports it (0 when unknown). */
    public static int current() {
        if (GETTID == null) return 0;
        try {
            int tid = (int) GETTID.invokeExact();
            String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
            // fields after the command name in parentheses: state is field 3, nice field 19
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]);
        } catch (Throwable t) {
            return 0;
        }
    }
}
