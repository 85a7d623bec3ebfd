package dev.llmcw.util;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Passes bytes on until {@code failAt} bytes have gone through, then fails like a full disk. */
public final class FailingOutputStream extends FilterOutputStream {
    private final long failAt;
    private long written;

    public FailingOutputStream(OutputStream out, long failAt) {
        super(out);
        this.failAt = failAt;
    }

    @Override
    public void write(int b) throws IOException {
        if (written >= failAt)
            throw new IOException("No space left on device (disk full, injected at byte " + failAt + ")");
        out.write(b);
        written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = 0; i < len; i++) write(b[off + i]);
    }
}
