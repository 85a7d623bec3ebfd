package dev.llmcw.util;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;

/**
 * Appends to one log file and rotates it when it passes a size: {@code workbench.log} becomes
 * {@code workbench.log.1} (the older ones shift up to {@code .keep}), so the log never fills a disk.
 * JUL's own FileHandler cannot keep the plain file name with more than one generation and takes a lock
 * file per process; this one appends, so a CLI and a GUI may share the file.
 */
final class SizeCappedFileHandler extends StreamHandler {
    private final Path file;
    private final long limit;
    private final int keep;
    private long written;

    SizeCappedFileHandler(Path file, long limit, int keep, Formatter formatter) throws IOException {
        this.file = file;
        this.limit = limit;
        this.keep = keep;
        setFormatter(formatter);
        open();
    }

    private void open() throws IOException {
        written = Files.exists(file) ? Files.size(file) : 0;
        setOutputStream(new CountingStream(new FileOutputStream(file.toFile(), true)));
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) return;
        super.publish(record);
        flush();
        if (written >= limit) rotate();
    }

    private void rotate() {
        try {
            close();
            for (int i = keep - 1; i >= 1; i--) {
                Path older = Path.of(file + "." + i);
                if (Files.exists(older))
                    Files.move(older, Path.of(file + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(file, Path.of(file + ".1"), StandardCopyOption.REPLACE_EXISTING);
            open();
        } catch (IOException e) {
            reportError("cannot rotate " + file + ": " + e.getMessage(), e, ErrorManager.GENERIC_FAILURE);
        }
    }

    private final class CountingStream extends OutputStream {
        private final OutputStream out;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
