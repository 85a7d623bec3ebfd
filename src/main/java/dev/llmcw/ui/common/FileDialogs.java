package dev.llmcw.ui.common;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import javafx.stage.Window;

/** File choosers behind an interface: native dialogs in the app, fixed answers in UI tests. */
public interface FileDialogs {
    Optional<Path> openFile(Window owner, String title, String... extensions);

    Optional<Path> openDirectory(Window owner, String title);

    Optional<Path> saveFile(Window owner, String title, String suggestedName, String... extensions);

    /** The JavaFX choosers. */
    static FileDialogs native_() {
        return new FileDialogs() {
            @Override
            public Optional<Path> openFile(Window owner, String title, String... extensions) {
                var fc = new javafx.stage.FileChooser();
                fc.setTitle(title);
                if (extensions.length > 0) {
                    fc.getExtensionFilters()
                            .add(new javafx.stage.FileChooser.ExtensionFilter(
                                    String.join(", ", extensions),
                                    Arrays.stream(extensions).map(e -> "*." + e).toList()));
                }
                fc.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("All files", "*"));
                var f = fc.showOpenDialog(owner);
                return Optional.ofNullable(f).map(File::toPath);
            }

            @Override
            public Optional<Path> openDirectory(Window owner, String title) {
                var dc = new javafx.stage.DirectoryChooser();
                dc.setTitle(title);
                return Optional.ofNullable(dc.showDialog(owner)).map(File::toPath);
            }

            @Override
            public Optional<Path> saveFile(Window owner, String title, String suggestedName, String... extensions) {
                var fc = new javafx.stage.FileChooser();
                fc.setTitle(title);
                fc.setInitialFileName(suggestedName);
                for (String e : extensions) {
                    fc.getExtensionFilters()
                            .add(new javafx.stage.FileChooser.ExtensionFilter(e.toUpperCase(Locale.ROOT), "*." + e));
                }
                return Optional.ofNullable(fc.showSaveDialog(owner)).map(File::toPath);
            }
        };
    }
}
