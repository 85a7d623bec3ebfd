package dev.llmcw.util;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Child JVM for {@link AtomicFilesTest}: rewrites {@code args[0]} forever, each generation a
 * {@code args[1]}-byte file filled with one byte value, until the parent kills it.
 */
public final class AtomicWriteChild {
    private AtomicWriteChild() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int size = Integer.parseInt(args[1]);
        byte[] chunk = new byte[1 << 16];
        System.out.println("started");
        System.out.flush();
        for (int gen = 1; ; gen++) {
            Arrays.fill(chunk, (byte) gen);
            AtomicFiles.write(file, out -> {
                for (int done = 0; done < size; done += chunk.length)
                    out.write(chunk, 0, Math.min(chunk.length, size - done));
            });
        }
    }
}
