package dev.llmcw.eval.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a task's files in a data folder by their known names. Accepts the shared layout
 * ({@code datasets/piqa/valid.jsonl}), a folder per task, files directly in the folder, and the
 * upstream release layouts (e.g. {@code ARC-Easy/ARC-Easy-Test.jsonl}): every candidate name is
 * looked for at the folder's top, in the task's subfolders, and then anywhere up to three levels down.
 */
public final class DatasetFiles {
    private DatasetFiles() {}

    /** The first existing file among {@code names} (relative paths or bare file names). */
    public static Optional<Path> find(Path dataDir, List<String> subfolders, List<String> names) {
        if (!Files.isDirectory(dataDir)) return Optional.empty();
        List<Path> roots = new ArrayList<>();
        roots.add(dataDir);
        roots.add(dataDir.resolve("datasets"));
        for (String sub : subfolders) {
            roots.add(dataDir.resolve(sub));
            roots.add(dataDir.resolve("datasets").resolve(sub));
        }
        for (String name : names) {
            for (Path r : roots) {
                Path p = r.resolve(name);
                if (Files.isRegularFile(p)) return Optional.of(p);
            }
        }
        for (String name : names) {
            String file = Path.of(name).getFileName().toString();
            try (Stream<Path> s = Files.find(
                    dataDir,
                    4,
                    (p, a) -> a.isRegularFile() && p.getFileName().toString().equals(file))) {
                Optional<Path> hit = s.sorted().findFirst();
                if (hit.isPresent()) return hit;
            } catch (IOException e) {
                throw new DatasetException(dataDir, "cannot search the data folder: " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    public static Path require(Path dataDir, String task, List<String> subfolders, List<String> names) {
        return find(dataDir, subfolders, names)
                .orElseThrow(() -> new DatasetException(
                        dataDir, "no data for " + task + ": looked for " + String.join(", ", names)));
    }

    /** A file beside {@code file} with one of the given names, if any. */
    public static Optional<Path> sibling(Path file, List<String> names) {
        Path dir = file.toAbsolutePath().getParent();
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
