package dev.llmcw.ui.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the platform's file chooser can be opened at all. On Linux JavaFX uses GTK's chooser, and GTK
 * aborts the whole JVM (not an exception: "Settings schema 'org.gtk.Settings.FileChooser' is not
 * installed") on a desktop without that GSettings schema, so we look for the schema before asking.
 */
public final class NativeDialogs {
    static final String PROPERTY = "workbench.nativeDialogs";
    static final String GTK_SCHEMA = "org.gtk.Settings.FileChooser";

    private NativeDialogs() {}

    /** {@code -Dworkbench.nativeDialogs=false} forces the JavaFX chooser; otherwise the platform decides. */
    public static boolean usable() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) return false;
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return true;
        return gtkSchemaInstalled(schemaDirs(System.getenv()));
    }

    /** The folders GLib reads compiled schemas from: $GSETTINGS_SCHEMA_DIR, then each of $XDG_DATA_DIRS. */
    static List<Path> schemaDirs(Map<String, String> env) {
        var dirs = new ArrayList<Path>();
        String own = env.get("GSETTINGS_SCHEMA_DIR");
        if (own != null && !own.isBlank()) for (String d : own.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
        String data = env.getOrDefault("XDG_DATA_DIRS", "");
        if (data.isBlank()) data = "/usr/local/share:/usr/share";
        for (String d : data.split(":")) if (!d.isBlank()) dirs.add(Path.of(d, "glib-2.0", "schemas"));
        return dirs;
    }

    /** The schema's id is stored as plain text in {@code gschemas.compiled}. */
    static boolean gtkSchemaInstalled(List<Path> dirs) {
        byte[] needle = GTK_SCHEMA.getBytes(StandardCharsets.US_ASCII);
        for (Path d : dirs) {
            Path compiled = d.resolve("gschemas.compiled");
            try {
                if (Files.isRegularFile(compiled) && contains(Files.readAllBytes(compiled), needle)) return true;
            } catch (IOException | SecurityException e) {
                // unreadable: as if absent, the JavaFX chooser is the safe answer
            }
        }
        return false;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
