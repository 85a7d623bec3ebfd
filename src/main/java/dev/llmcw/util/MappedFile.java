package dev.llmcw.util;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only memory mapping of whole files (any size, including > 2 GB) into the global arena, so
 * weights stay in the page cache instead of the Java heap. Mappings live as long as the process.
 */
public final class MappedFile {
    private MappedFile() {}

    public static MemorySegment map(Path file) {
        if (!Files.isRegularFile(file)) throw new ModelLoadException(file, "not a readable file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) return MemorySegment.NULL.reinterpret(0);
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.global());
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot map file: " + e.getMessage(), e);
        }
    }
}
