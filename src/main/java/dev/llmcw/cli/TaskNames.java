package dev.llmcw.cli;

import dev.llmcw.eval.TaskRegistry;
import java.util.Iterator;

/** The registered task names, for picocli's ${COMPLETION-CANDIDATES} in help texts (read when help is shown). */
final class TaskNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return TaskRegistry.names().iterator();
    }
}
