package dev.llmcw.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A file format's magic number at the start of a file ("GGUF", ...). */
public final class FileMagic {
    private FileMagic() {}

    /** Whether the file starts with these ASCII bytes; an unreadable or shorter file does not. */
    public static boolean startsWith(Path path, String magic) {
        byte[] expected = magic.getBytes(StandardCharsets.US_ASCII);
        try (var in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(expected.length), expected);
        } catch (IOException e) {
            return false;
        }
    }
}
