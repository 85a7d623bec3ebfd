package dev.llmcw.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns a file name that a remote answer supplied (a hub listing's {@code rfilename}, an index's
 * {@code weight_map}, a catalogue's extra file) into a path inside the target folder, refusing any
 * name that could land elsewhere: absolute paths, {@code ..} segments, drive letters, backslashes,
 * control characters (NUL included), and existing symbolic links on the way that lead out of the folder.
 */
public final class RemoteFileNames {
    private RemoteFileNames() {}

    /**
     * @param source who supplied the name, for the message (e.g. "org/model@main")
     * @throws DownloadException naming the source, the name and why it is refused
     */
    public static Path resolveUnder(Path root, String name, String source) {
        String why = problem(name);
        Path base = root.toAbsolutePath().normalize();
        Path target = null;
        if (why == null) {
            try {
                target = base.resolve(name).normalize();
            } catch (InvalidPathException e) {
                why = "it is not a valid path here (" + e.getReason() + ")";
            }
        }
        if (why == null && (!target.startsWith(base) || target.equals(base))) why = "it would land outside " + base;
        if (why == null) why = symlinkLeavingRoot(base, target);
        if (why != null) {
            throw new DownloadException(source + ": refusing the file name \"" + printable(name) + "\": " + why);
        }
        return target;
    }

    /** What is wrong with the name as text, or null. */
    private static String problem(String name) {
        if (name == null || name.isBlank()) return "it is empty";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) return "it contains a NUL character";
            if (Character.isISOControl(c)) return "it contains a control character";
        }
        if (name.indexOf('\\') >= 0) return "it contains a backslash";
        if (name.startsWith("/")) return "it is an absolute path";
        if (name.length() >= 2 && Character.isLetter(name.charAt(0)) && name.charAt(1) == ':')
            return "it starts with a drive letter";
        for (String segment : name.split("/", -1)) {
            if (segment.equals("..")) return "it would land outside the target folder (a \"..\" segment)";
            if (segment.isEmpty()) return "it has an empty path segment";
        }
        return null;
    }

    /** A folder on the way that is a symbolic link leading out of the target folder, described, or null. */
    private static String symlinkLeavingRoot(Path base, Path target) {
        Path realBase;
        try {
            realBase = Files.exists(base) ? base.toRealPath() : base;
        } catch (IOException e) {
            return "the target folder cannot be resolved: " + e.getMessage();
        }
        Path p = base;
        for (Path segment : base.relativize(target)) {
            p = p.resolve(segment);
            if (!Files.isSymbolicLink(p)) continue;
            try {
                if (!p.toRealPath().startsWith(realBase))
                    return "it passes through the symbolic link " + p + ", which leads outside " + base;
            } catch (IOException e) {
                return "it passes through the symbolic link " + p + ", which cannot be resolved";
            }
        }
        return null;
    }

    private static String printable(String s) {
        if (s == null) return "null";
        var sb = new StringBuilder();
        for (char c : s.toCharArray())
            sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return sb.toString();
    }
}
