package dev.llmcw.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;

/** Recently opened model paths, newest first, persisted in the user's preferences. */
public final class RecentModels {
    static final int MAX = 10;
    private final Preferences prefs;

    public RecentModels(Preferences prefs) {
        this.prefs = prefs;
    }

    public static RecentModels userDefault() {
        return new RecentModels(Preferences.userRoot().node("dev/llmcw/workbench/recent"));
    }

    public List<Path> list() {
        var out = new ArrayList<Path>();
        for (int i = 0; i < MAX; i++) {
            String v = prefs.get("model." + i, null);
            if (v != null) out.add(Path.of(v));
        }
        return out;
    }

    public List<Path> add(Path p) {
        var l = list();
        Path abs = p.toAbsolutePath().normalize();
        l.remove(abs);
        l.addFirst(abs);
        while (l.size() > MAX) l.removeLast();
        for (int i = 0; i < MAX; i++) {
            if (i < l.size()) prefs.put("model." + i, l.get(i).toString());
            else prefs.remove("model." + i);
        }
        return l;
    }
}
