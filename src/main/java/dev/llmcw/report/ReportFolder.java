package dev.llmcw.report;

import dev.llmcw.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Publishes a report folder whole: the report is built in a hidden temporary sibling and renamed into
 * place, so a report that fails halfway (or a killed run) leaves the previous report untouched. A
 * previous report is moved aside and deleted after the swap; files in the folder that a report does
 * not write (the user's own) are carried over into the new folder first (on failure the old folder is
 * kept beside it, with those files, rather than deleted).
 */
final class ReportFolder {
    /** Top-level names a report writes; anything else in the folder belongs to the user. */
    static final Set<String> OWNED = Set.of(
            "report.html",
            "report.md",
            "runs.csv",
            "runs.json",
            "charts",
            "paper-points.csv",
            ReferencePoints.FILE_NAME);

    /** Builds the report's files into the folder it is given. */
    @FunctionalInterface
    interface Builder<T> {
        T build(Path dir) throws IOException;
    }

    private ReportFolder() {}

    /** Runs {@code builder} in a temporary sibling of {@code outDir}, then swaps it in; returns the builder's result for {@code outDir}. */
    static <T> T publish(Path outDir, Builder<T> builder) throws IOException {
        Path target = outDir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        String nonce = ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        Path tmp = parent.resolve("." + target.getFileName() + "." + nonce + ".tmp");
        Path old = parent.resolve("." + target.getFileName() + "." + nonce + ".old");
        try {
            Files.createDirectory(tmp);
            T result = builder.build(tmp);
            boolean hadOld = Files.isDirectory(target);
            if (hadOld) Files.move(target, old); // the folder is briefly absent, never half-written
            try {
                Files.move(tmp, target);
            } catch (IOException e) {
                if (hadOld) Files.move(old, target);
                throw e;
            }
            AtomicFiles.syncDirectory(parent);
            if (hadOld) {
                carryOverForeignFiles(old, target);
                deleteTree(old); // only once the user's own files are safe in the new folder
            }
            return result;
        } finally {
            deleteTree(tmp);
        }
    }

    /** Moves what the user put in the old folder (not report files) into the new one. */
    private static void carryOverForeignFiles(Path from, Path to) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(from)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!OWNED.contains(name)) Files.move(p, to.resolve(name));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
