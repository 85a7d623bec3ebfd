package dev.llmcw.cli;

import dev.llmcw.eval.TaskDescriptor;
import dev.llmcw.eval.TaskRegistry;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(
        name = "tasks",
        description =
                "List the evaluation tasks: name (for eval --tasks and suites), scoring, metrics (↑ higher is better, ↓ lower), chance, data.")
final class TasksCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.printf(
                "%-16s %-26s %-19s %-58s %-7s %s%n", "name", "display name", "scoring", "metrics", "chance", "data");
        for (TaskDescriptor d : TaskRegistry.all()) {
            String metrics = d.metrics().stream()
                    .map(m -> m.name() + (m.higherIsBetter() ? " ↑" : " ↓"))
                    .collect(Collectors.joining(", "));
            System.out.printf(
                    "%-16s %-26s %-19s %-58s %-7s %s%n",
                    d.name(),
                    d.displayName(),
                    d.scoring().name().toLowerCase(Locale.ROOT),
                    metrics,
                    d.chance() == null ? "-" : String.format(Locale.ROOT, "%.2f", d.chance()),
                    d.dataset());
        }
        return 0;
    }
}
