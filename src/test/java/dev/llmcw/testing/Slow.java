package dev.llmcw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test (class or method) that costs seconds of CPU: real-model compression, full benchmark splits,
 * child JVMs. {@code tools/test --fast} leaves it out; {@code tools/test} and CI run it. Untagged tests
 * are the fast set. See docs/testing.md.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Slow.TAG)
public @interface Slow {
    String TAG = "slow";
}
