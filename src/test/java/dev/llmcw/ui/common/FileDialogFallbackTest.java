package dev.llmcw.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.testing.Ui;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** File dialogs never abort: a failing or missing native chooser gives way to the JavaFX one. */
@Ui
@ExtendWith(ApplicationExtension.class)
class FileDialogFallbackTest {
    @TempDir
    Path dir;

    private final AtomicInteger nativeCalls = new AtomicInteger();

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setScene(new Scene(new StackPane(), 400, 300));
        stage.show();
    }

    @AfterEach
    void cleanUp(FxRobot robot) {
        System.clearProperty(NativeDialogs.PROPERTY);
        // a dialog left open by a failed assertion would block the toolkit's clean-up
        robot.interact(() -> new ArrayList<>(Window.getWindows())
                .stream().filter(w -> w != stage).forEach(Window::hide));
    }

    private static void press(FxRobot robot, ButtonType button) {
        DialogPane pane = robot.lookup("#fallback-chooser").queryAs(DialogPane.class);
        robot.interact(() -> ((Button) pane.lookupButton(button)).fire());
    }

    /** A native chooser that fails the way a broken platform dialog does (injected, no GTK needed). */
    private FileDialogs failingNative() {
        return new FileDialogs() {
            private Optional<Path> fail() {
                nativeCalls.incrementAndGet();
                throw new IllegalStateException(
                        "GLib-GIO-ERROR: Settings schema 'org.gtk.Settings.FileChooser' is not installed");
            }

            @Override
            public Optional<Path> openFile(Window owner, String title, String... extensions) {
                return fail();
            }

            @Override
            public Optional<Path> openDirectory(Window owner, String title) {
                return fail();
            }

            @Override
            public Optional<Path> saveFile(Window owner, String title, String suggestedName, String... extensions) {
                return fail();
            }
        };
    }

    /** Opens a dialog the way a view does (on the FX thread) and answers it by typing into the fallback. */
    private Optional<Path> answer(FxRobot robot, Supplier<Optional<Path>> ask, String typed) throws Exception {
        var result = new AtomicReference<Optional<Path>>();
        Platform.runLater(() -> result.set(ask.get()));
        WaitForAsyncUtils.waitFor(
                10,
                TimeUnit.SECONDS,
                () -> robot.lookup("#fallback-chooser").tryQuery().isPresent());
        TextField field = robot.lookup("#fallback-path").queryAs(TextField.class);
        robot.interact(() -> field.setText(typed));
        press(robot, ButtonType.OK);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> result.get() != null);
        return result.get();
    }

    @Test
    void aFailingNativeChooserFallsBackAndIsNotTriedAgain(FxRobot robot) throws Exception {
        Path model = Files.writeString(dir.resolve("model.gguf"), "x");
        var dialogs = new SafeFileDialogs(failingNative(), new SimpleFileChooser(), () -> true);
        assertThat(answer(robot, () -> dialogs.openFile(stage, "Open model", "gguf"), model.toString()))
                .contains(model);
        assertThat(nativeCalls).hasValue(1);
        assertThat(dialogs.usesNative()).isFalse();
        Path out = dir.resolve("chart.pdf");
        assertThat(answer(robot, () -> dialogs.saveFile(stage, "Export", "chart.pdf", "pdf"), out.toString()))
                .contains(out);
        assertThat(nativeCalls).as("not tried again after failing").hasValue(1);
    }

    @Test
    void thePropertyForcesTheJavaFxChooser(FxRobot robot) throws Exception {
        System.setProperty(NativeDialogs.PROPERTY, "false");
        assertThat(NativeDialogs.usable()).isFalse();
        var dialogs = new SafeFileDialogs(failingNative(), new SimpleFileChooser(), NativeDialogs::usable);
        assertThat(answer(robot, () -> dialogs.openDirectory(stage, "Output folder"), dir.toString()))
                .contains(dir);
        assertThat(nativeCalls).hasValue(0);
    }

    @Test
    void aMissingFileKeepsTheDialogOpenWithOneSentence(FxRobot robot) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "x");
        var chooser = new SimpleFileChooser();
        var result = new AtomicReference<Optional<Path>>();
        Platform.runLater(() -> result.set(chooser.openFile(stage, "Open suite", "yaml")));
        WaitForAsyncUtils.waitFor(
                10,
                TimeUnit.SECONDS,
                () -> robot.lookup("#fallback-chooser").tryQuery().isPresent());
        robot.interact(() -> robot.lookup("#fallback-path")
                .queryAs(TextField.class)
                .setText(dir.resolve("nope.yaml").toString()));
        press(robot, ButtonType.OK);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#fallback-problem").queryAs(Label.class).getText())
                .contains("nope.yaml")
                .contains("no such file");
        assertThat(result.get()).isNull();
        press(robot, ButtonType.CANCEL);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> result.get() != null);
        assertThat(result.get()).isEmpty();
    }

    @Test
    void theGtkSchemaIsLookedForWhereGlibLooks() throws Exception {
        Path with = Files.createDirectories(dir.resolve("with/glib-2.0/schemas"));
        Files.write(
                with.resolve("gschemas.compiled"),
                ("GVariant\0\0org.gtk.Settings.FileChooser\0").getBytes(StandardCharsets.US_ASCII));
        Path without = Files.createDirectories(dir.resolve("without/glib-2.0/schemas"));
        Files.write(
                without.resolve("gschemas.compiled"),
                "GVariant\0org.gnome.desktop.interface\0".getBytes(StandardCharsets.US_ASCII));
        var dirs =
                NativeDialogs.schemaDirs(Map.of("XDG_DATA_DIRS", dir.resolve("without") + ":" + dir.resolve("with")));
        assertThat(dirs).containsExactly(without, with);
        assertThat(NativeDialogs.gtkSchemaInstalled(dirs)).isTrue();
        assertThat(NativeDialogs.gtkSchemaInstalled(List.of(without, dir.resolve("missing"))))
                .isFalse();
        assertThat(NativeDialogs.schemaDirs(Map.of())).contains(Path.of("/usr/share/glib-2.0/schemas"));
    }
}
