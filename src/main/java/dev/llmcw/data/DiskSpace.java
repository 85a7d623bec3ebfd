package dev.llmcw.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Checks announced download sizes against the free space where they will be written, before writing. */
final class DiskSpace {
    private DiskSpace() {}

    /**
     * @param target a file or folder to be written (it need not exist yet)
     * @param what   what needs the space, for the message (a URL, or "org/model@main")
     * @throws DownloadException when {@code bytes} exceed the usable space of the file system holding {@code target}
     */
    static void require(Path target, long bytes, String what) {
        if (bytes <= 0) return;
        Path p = target.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null) return;
        long free;
        try {
            free = Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            return; // no answer from the file system: the write itself will tell
        }
        if (bytes > free) {
            throw new DownloadException(String.format(
                    Locale.ROOT,
                    "%s needs %,d bytes but only %,d bytes are free in %s; nothing was downloaded",
                    what,
                    bytes,
                    free,
                    p));
        }
    }
}
