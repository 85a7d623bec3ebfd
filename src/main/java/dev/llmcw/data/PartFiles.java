package dev.llmcw.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Housekeeping for {@code .part} files (and their {@code .part.etag} validators): once a download
 * into a folder has completed, any part still there was left by a killed or abandoned run for a file
 * the folder no longer needs, so it is deleted rather than left forever.
 */
final class PartFiles {
    private PartFiles() {}

    /** How deep below the folder parts are looked for (shards may sit in subfolders). */
    private static final int DEPTH = 4;

    /** Deletes every part file under {@code dir}; symbolic links are not followed. Returns how many went. */
    static int sweep(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        List<Path> stale;
        try (Stream<Path> files = Files.walk(dir, DEPTH)) {
            stale = files.filter(p -> {
                        String n = p.getFileName().toString();
                        return (n.endsWith(".part") || n.endsWith(".part.etag"))
                                && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                    })
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            return 0; // housekeeping only: the download itself succeeded
        }
        int n = 0;
        for (Path p : stale) {
            try {
                if (Files.deleteIfExists(p)) n++;
            } catch (IOException e) {
                // left for the next run
            }
        }
        return n;
    }
}
