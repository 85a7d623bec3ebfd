package dev.llmcw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that opens real JavaFX windows through TestFX (needs a display or Monocle, and the FX toolkit's
 * start-up). {@code tools/test --fast} leaves it out; {@code tools/test} and CI run it. View models are
 * tested without a window and stay in the fast set. See docs/testing.md.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Ui.TAG)
public @interface Ui {
    String TAG = "ui";
}
