package dev.llmcw.util;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every output file goes through here: it is written to a hidden temporary sibling
 * ({@code .<name>.<pid>-<nonce>.tmp}), synced, and renamed over the target, and the folder is
 * synced so the rename survives a power cut. Readers therefore see the old file or the complete new
 * one, never a partial one: a failure (full disk, exception, cancellation) deletes the temporary,
 * and a temporary left by a killed process (its pid no longer alive) is swept by the next write of
 * the same file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content to the stream it is given; the stream must not be closed by it. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void writeString(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(file, out -> out.write(bytes));
    }

    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        sweepStale(target);
        Path tmp = dir.resolve(temporaryName(
                target,
                ProcessHandle.current().pid(),
                ThreadLocalRandom.current().nextLong()));
        try {
            // created like a normal file (umask permissions, unlike Files.createTempFile's 0600)
            try (OutputStream out = new BufferedOutputStream(
                    Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 20)) {
                content.writeTo(new UnclosableStream(out));
            }
            sync(tmp);
            move(tmp, target);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The temporary sibling's name for {@code file}, written by process {@code pid}. */
    static String temporaryName(Path file, long pid, long nonce) {
        return "." + file.getFileName() + "." + pid + "-" + Long.toHexString(nonce) + ".tmp";
    }

    /** Forces a file's bytes to the disk, so that a rename after it cannot expose a file with missing data. */
    public static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Renames atomically where the file system can, replacing {@code to}. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot sync a folder are left as they are. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows and some file systems refuse to open or sync a folder; the rename itself is done
        }
    }

    /** Deletes temporaries of {@code file} whose writing process is gone (killed mid-write). */
    static void sweepStale(Path file) {
        String prefix = "." + file.getFileName() + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), prefix + "*.tmp")) {
            for (Path p : ds) {
                String middle = p.getFileName().toString().substring(prefix.length());
                int dash = middle.indexOf('-');
                if (dash <= 0) continue;
                long pid;
                try {
                    pid = Long.parseLong(middle.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue; // not one of ours
                }
                if (pid != ProcessHandle.current().pid()
                        && ProcessHandle.of(pid).isEmpty()) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // sweeping is housekeeping: the write itself goes on
        }
    }

    /** Keeps a content writer from closing the file under us. */
    private static final class UnclosableStream extends FilterOutputStream {
        UnclosableStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
