package dev.llmcw.ui.common;

import dev.llmcw.util.FailureLog;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.stage.Window;
import org.slf4j.Logger;

/**
 * The native choosers when the platform has them, the JavaFX ones ({@link SimpleFileChooser}) when it
 * does not or when a native one fails; after one failure the native choosers are not tried again.
 */
public final class SafeFileDialogs implements FileDialogs {
    private static final Logger LOG = FailureLog.of(SafeFileDialogs.class);

    private final FileDialogs primary;
    private final FileDialogs fallback;
    private volatile boolean primaryUsable;

    public SafeFileDialogs(FileDialogs primary, FileDialogs fallback, BooleanSupplier primaryUsable) {
        this.primary = primary;
        this.fallback = fallback;
        this.primaryUsable = primaryUsable.getAsBoolean();
    }

    /** What the app uses: native choosers guarded by {@link NativeDialogs#usable()}. */
    public static FileDialogs forDesktop() {
        return new SafeFileDialogs(FileDialogs.native_(), new SimpleFileChooser(), NativeDialogs::usable);
    }

    public boolean usesNative() {
        return primaryUsable;
    }

    @Override
    public Optional<Path> openFile(Window owner, String title, String... extensions) {
        return ask(() -> primary.openFile(owner, title, extensions), () -> fallback.openFile(owner, title, extensions));
    }

    @Override
    public Optional<Path> openDirectory(Window owner, String title) {
        return ask(() -> primary.openDirectory(owner, title), () -> fallback.openDirectory(owner, title));
    }

    @Override
    public Optional<Path> saveFile(Window owner, String title, String suggestedName, String... extensions) {
        return ask(
                () -> primary.saveFile(owner, title, suggestedName, extensions),
                () -> fallback.saveFile(owner, title, suggestedName, extensions));
    }

    private Optional<Path> ask(Supplier<Optional<Path>> native_, Supplier<Optional<Path>> javafx) {
        if (primaryUsable) {
            try {
                return native_.get();
            } catch (RuntimeException | LinkageError e) {
                primaryUsable = false;
                LOG.warn("native file chooser failed, using the JavaFX one from now on", e);
            }
        }
        return javafx.get();
    }
}
