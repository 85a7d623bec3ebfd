package dev.llmcw.ui.common;

import dev.llmcw.util.Failures;
import java.lang.reflect.InvocationTargetException;

/** Tells the user that something failed; the app stays usable. Dialogs in the GUI, a list in tests. */
@FunctionalInterface
public interface ErrorReporter {
    void error(String title, String message);

    /**
     * The most useful one-line message of a failure (the model loader's messages name the file); out of memory
     * and a full disk say what to change ({@link Failures}).
     */
    static String describe(Throwable t) {
        var resource = Failures.resourceProblem(t);
        if (resource.isPresent()) return resource.get();
        Throwable c = t;
        while ((c.getMessage() == null || c.getMessage().isBlank()) && c.getCause() != null) c = c.getCause();
        if (c instanceof InvocationTargetException && c.getCause() != null) c = c.getCause();
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
    }
}
