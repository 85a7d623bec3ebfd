package dev.llmcw.cli;

import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodRegistry;
import java.util.Iterator;

/** The registered method ids, for {@code --method}'s help and completion. */
final class MethodIds implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return MethodRegistry.all().stream().map(MethodDescriptor::id).iterator();
    }
}
