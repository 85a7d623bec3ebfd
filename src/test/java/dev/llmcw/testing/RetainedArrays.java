package dev.llmcw.testing;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Bytes of the primitive arrays an object keeps reachable through its instance fields (into objects of
 * the project's own classes and arrays of them; static fields, such as a shared decoding table, are not
 * counted), each array once. Independent of any accounting a class reports about itself: a test
 * compares it with what a compressed layer says it stores.
 */
public final class RetainedArrays {
    private RetainedArrays() {}

    public static long bytes(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        long total = 0;
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (!seen.add(o)) continue;
            Class<?> c = o.getClass();
            if (c.isArray()) {
                Class<?> e = c.getComponentType();
                if (e.isPrimitive()) total += (long) Array.getLength(o) * width(e);
                else for (int i = 0; i < Array.getLength(o); i++) push(todo, Array.get(o, i));
                continue;
            }
            if (!c.getName().startsWith("dev.llmcw.")) continue;
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
                    f.setAccessible(true);
                    try {
                        push(todo, f.get(o));
                    } catch (IllegalAccessException ex) {
                        throw new AssertionError(ex);
                    }
                }
            }
        }
        return total;
    }

    private static void push(Deque<Object> todo, Object o) {
        if (o != null) todo.push(o);
    }

    private static int width(Class<?> e) {
        if (e == byte.class || e == boolean.class) return 1;
        if (e == short.class || e == char.class) return 2;
        if (e == int.class || e == float.class) return 4;
        return 8;
    }
}
