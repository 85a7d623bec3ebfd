package dev.llmcw.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Slurm commands the executor uses, nothing else: {@code sbatch --parsable} to submit, {@code squeue -r}
 * to see which array tasks are still pending or running, {@code scancel} to cancel, and {@code sacct} (or
 * {@code scontrol show job} where accounting is off) only to say why a task ended. Whether a task succeeded
 * is never read from Slurm: its output file says so.
 */
public final class Slurm {
    /** Runs one command and returns its exit status and output; tests may record or fake it. */
    @FunctionalInterface
    public interface Commands {
        Result run(List<String> command) throws IOException;
    }

    public record Result(int code, String out, String err) {}

    private static final Pattern STATE = Pattern.compile("JobState=(\\S+).*?ExitCode=(\\S+)");
    private final Commands commands;

    public Slurm(Commands commands) {
        this.commands = commands;
    }

    /** The real commands, from PATH. */
    public static Slurm system() {
        return new Slurm(Slurm::exec);
    }

    /** Whether {@code sbatch} and {@code squeue} are on PATH. */
    public static boolean onPath() {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String cmd : List.of("sbatch", "squeue")) {
            boolean found = false;
            for (String dir : path.split(File.pathSeparator))
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd))) found = true;
            if (!found) return false;
        }
        return true;
    }

    /**
     * Submits {@code script} as an array of the given task indices ("0-7", "3", "1,4"), after {@code afterOk}
     * (a job id, or null) has succeeded; returns the job id.
     */
    public String submit(Path script, String indices, String afterOk) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--array=" + indices));
        if (afterOk != null) cmd.add("--dependency=afterok:" + afterOk);
        cmd.add(script.toString());
        Result r = commands.run(cmd);
        if (r.code() != 0)
            throw new IOException("sbatch " + script + " failed (exit " + r.code() + "): " + firstLine(r.err()));
        String id = r.out().strip();
        int semi = id.indexOf(';'); // "id;cluster" on a federation
        if (semi >= 0) id = id.substring(0, semi);
        if (!id.matches("\\d+")) throw new IOException("sbatch " + script + " answered \"" + id + "\", not a job id");
        return id;
    }

    /**
     * State of every array task of {@code jobIds} that is still known to the queue ("123_4" → "RUNNING"), or
     * null when squeue could not answer (then nothing may be concluded from a task's absence).
     */
    public Map<String, String> queued(Collection<String> jobIds) throws IOException {
        Map<String, String> out = new HashMap<>();
        if (jobIds.isEmpty()) return out;
        Result r = commands.run(List.of("squeue", "-h", "-r", "-o", "%i|%T", "-j", String.join(",", jobIds)));
        // squeue exits non-zero when none of the jobs is known any more: that is an empty queue, not an error
        if (r.code() != 0 && !r.err().contains("Invalid job id")) return null;
        for (String line : r.out().split("\n")) {
            int bar = line.indexOf('|');
            if (bar > 0)
                out.put(line.substring(0, bar).strip(), line.substring(bar + 1).strip());
        }
        return out;
    }

    public void cancel(Collection<String> ids) throws IOException {
        if (ids.isEmpty()) return;
        List<String> cmd = new ArrayList<>(List.of("scancel"));
        cmd.addAll(ids);
        commands.run(cmd);
    }

    /** How a finished task ended ("FAILED exit 1:0", "CANCELLED"), for the log; "unknown" when Slurm no longer says. */
    public String outcome(String taskId) {
        try {
            Result r = commands.run(List.of("sacct", "-n", "-P", "-X", "-j", taskId, "-o", "State,ExitCode"));
            String line = firstLine(r.out());
            if (r.code() == 0 && !line.isBlank()) return line.replace('|', ' ');
            r = commands.run(List.of("scontrol", "-o", "show", "job", taskId));
            Matcher m = STATE.matcher(r.out());
            if (r.code() == 0 && m.find()) return m.group(1) + " exit " + m.group(2);
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("");
    }

    private static Result exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        // small outputs: read both streams fully after the process ends would risk a full pipe; read err on a thread
        var err = new StringBuilder();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process's error text is only for messages
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not answer within 120 s");
            }
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
        return new Result(p.exitValue(), out, err.toString());
    }
}
