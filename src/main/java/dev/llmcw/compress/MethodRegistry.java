package dev.llmcw.compress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The compression methods of this build. The built-in ones are listed one line each in
 * {@code META-INF/services/dev.llmcw.compress.MethodDescriptor} (read with {@link ServiceLoader}, so this
 * package never imports the method packages, which import it); tests and plug-ins add more with
 * {@link #register} and take them away with {@link #unregister}. Order is registration order: it is the
 * order of the GUI's method list and of chart legends.
 */
public final class MethodRegistry {
    private static final List<MethodDescriptor> METHODS = new CopyOnWriteArrayList<>(builtIn());

    private MethodRegistry() {}

    private static List<MethodDescriptor> builtIn() {
        List<MethodDescriptor> list = new ArrayList<>();
        ServiceLoader.load(MethodDescriptor.class, MethodRegistry.class.getClassLoader())
                .forEach(list::add);
        return list;
    }

    public static List<MethodDescriptor> all() {
        return List.copyOf(METHODS);
    }

    /** The method called {@code id} (case-insensitive), if registered. */
    public static Optional<MethodDescriptor> find(String id) {
        if (id == null) return Optional.empty();
        String key = id.toLowerCase(Locale.ROOT);
        return METHODS.stream().filter(d -> d.id().equals(key)).findFirst();
    }

    /** The method called {@code id}, or an error listing the known ones. */
    public static MethodDescriptor get(String id) {
        return find(id).orElseThrow(
                        () -> new IllegalArgumentException("unknown compression method '" + id + "' (" + ids() + ")"));
    }

    /** "seedlm, caldera, rtn, gptq". */
    public static String ids() {
        return METHODS.stream().map(MethodDescriptor::id).collect(Collectors.joining(", "));
    }

    /** Adds a method (replacing one with the same id). */
    public static void register(MethodDescriptor d) {
        unregister(d.id());
        METHODS.add(d);
    }

    public static void unregister(String id) {
        METHODS.removeIf(d -> d.id().equals(id));
    }

    /** The reader of {@code method}'s compressed files, or null for an unknown method. */
    public static CompressedFormat format(String method) {
        return find(method).map(MethodDescriptor::format).orElse(null);
    }

    /** A short label of a recorded setting ("Q2 r64 LR4 scalar"); for an unknown method, its parameters. */
    public static String label(String method, Map<String, String> params) {
        return find(method).map(d -> d.label(params)).orElse(params.toString());
    }
}
