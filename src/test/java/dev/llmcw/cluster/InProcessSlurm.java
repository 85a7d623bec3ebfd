package dev.llmcw.cluster;

import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Slurm stand-in for tests without daemons: {@code sbatch} reads the job script the executor wrote (its
 * units and plan), and each {@code squeue} moves the queue one step: a running task ends, running its unit in
 * this process with the real {@link UnitRunner} (so the outputs, and the merged numbers, are real), and a
 * pending task whose dependency is met starts. Units named in {@link #failFirstAttempt} end without
 * output the first time, as a killed task does. Thread-safe enough for one executor polling it.
 */
public final class InProcessSlurm implements Slurm.Commands {
    private static final Pattern UNITS = Pattern.compile("(?m)^units=\\(([^)]*)\\)$");
    private static final Pattern PLAN = Pattern.compile("--plan '([^']*)'");

    private record Task(String unitId, Path plan, String afterJob) {}

    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, String> state = new LinkedHashMap<>();
    /** Units that fail (end without output) on their first run. */
    public volatile Predicate<WorkUnit> failFirstAttempt = u -> false;

    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final List<List<String>> calls = new ArrayList<>();
    private int nextId = 1000;

    @Override
    public synchronized Slurm.Result run(List<String> cmd) {
        calls.add(List.copyOf(cmd));
        return switch (cmd.getFirst()) {
            case "sbatch" -> sbatch(cmd);
            case "squeue" -> squeue();
            case "scancel" -> {
                for (String id : cmd.subList(1, cmd.size())) state.remove(id);
                yield new Slurm.Result(0, "", "");
            }
            default -> new Slurm.Result(0, "FAILED|1:0\n", "");
        };
    }

    public synchronized List<List<String>> calls() {
        return List.copyOf(calls);
    }

    private Slurm.Result sbatch(List<String> cmd) {
        String array = null, after = null;
        for (String a : cmd) {
            if (a.startsWith("--array=")) array = a.substring(8);
            if (a.startsWith("--dependency=afterok:")) after = a.substring(21);
        }
        Path script = Path.of(cmd.getLast());
        String text;
        try {
            text = Files.readString(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher u = UNITS.matcher(text), p = PLAN.matcher(text);
        if (!u.find() || !p.find()) return new Slurm.Result(1, "", "not a workbench job script: " + script);
        String[] units = u.group(1).split(" ");
        String id = Integer.toString(nextId++);
        for (int i : indices(array)) {
            tasks.put(id + "_" + i, new Task(units[i], Path.of(p.group(1)), after));
            state.put(id + "_" + i, "PENDING");
        }
        return new Slurm.Result(0, id + "\n", "");
    }

    /**
     * One step of the world, then the answer: the tasks running since the last call end (their units run
     * here), then pending tasks whose dependency is met start. So every state is answered at least once.
     */
    private Slurm.Result squeue() {
        for (var e : new ArrayList<>(state.entrySet())) {
            if (!e.getValue().equals("RUNNING")) continue;
            String id = e.getKey();
            Task t = tasks.get(id);
            state.remove(id);
            ClusterPlan plan = ClusterPlan.read(t.plan());
            if (failFirstAttempt.test(plan.unit(t.unitId())) && failedOnce.add(t.unitId())) continue;
            try {
                new UnitRunner(plan, ProgressListener.NONE).run(t.unitId());
            } catch (Exception x) {
                throw new IllegalStateException("unit " + t.unitId() + " failed: " + x, x);
            }
        }
        for (var e : new ArrayList<>(state.entrySet()))
            if (e.getValue().equals("PENDING") && dependencyMet(tasks.get(e.getKey())))
                state.put(e.getKey(), "RUNNING");
        var answer = new StringBuilder();
        state.forEach((k, v) -> answer.append(k).append('|').append(v).append('\n'));
        return new Slurm.Result(0, answer.toString(), "");
    }

    /** afterok: every task of those jobs ("12:15") has left the queue (a test's failures are all before a dependency). */
    private boolean dependencyMet(Task t) {
        if (t.afterJob() == null) return true;
        for (String job : t.afterJob().split(":"))
            if (state.keySet().stream().anyMatch(k -> k.startsWith(job + "_"))) return false;
        return true;
    }

    private static List<Integer> indices(String array) {
        List<Integer> out = new ArrayList<>();
        if (array.contains("-")) {
            String[] p = array.split("-");
            for (int i = Integer.parseInt(p[0]); i <= Integer.parseInt(p[1]); i++) out.add(i);
        } else out.add(Integer.parseInt(array));
        return out;
    }
}
