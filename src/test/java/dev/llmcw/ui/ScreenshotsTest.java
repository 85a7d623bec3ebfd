package dev.llmcw.ui;

import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.task.FxTaskExecutor;
import dev.llmcw.util.DataPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Regenerates screenshots/ from a real session (run by tools/screenshots, which sets
 * -Dscreenshots.out; skipped in the normal test run).
 */
@Ui
class ScreenshotsTest {
    @Test
    void screenshots() throws Exception {
        String out = System.getProperty("screenshots.out");
        Assumptions.assumeTrue(out != null && !out.isBlank(), "set -Dscreenshots.out=DIR to regenerate screenshots");
        Path dir = Path.of(out);
        Files.createDirectories(dir);
        Path ws = Files.createTempDirectory("workbench-screens");
        Stage stage = FxToolkit.registerPrimaryStage();
        var executor = new FxTaskExecutor();
        var prefs = Preferences.userRoot().node("dev/llmcw/workbench/screens-" + System.nanoTime());
        var files = new ScriptedFileDialogs();
        var window = new MainWindow[1];
        FxToolkit.setupFixture(() -> {
            window[0] = WorkbenchApp.install(
                    stage,
                    WorkbenchServices.create(ws, ws.resolve("results.db")),
                    executor,
                    files,
                    (t, m) -> {},
                    new RecentModels(prefs));
            stage.setWidth(1440);
            stage.setHeight(900);
            stage.show();
        });
        var vm = (WorkbenchViewModel) stage.getUserData();
        try {
            // -Dscreenshots.only=demo retakes only the DEMO screenshots (11-, 12-), in about a minute.
            if (!"demo".equals(System.getProperty("screenshots.only"))) {
                Path model = DataPaths.shared("models/stories260K/stories260K.bin");
                Platform.runLater(() -> vm.model().open(model));
                WaitForAsyncUtils.waitFor(
                        60, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
                ScreenshotScript.run(vm, window[0], (name) -> snap(stage, dir.resolve(name + ".png")));
            }

            // The first-start DEMO workspace in a fresh workspace and results store, as a newcomer sees it.
            Path demoWs = Files.createTempDirectory("workbench-demo-screens");
            FxToolkit.setupFixture(() -> window[0] = WorkbenchApp.install(
                    stage,
                    WorkbenchServices.create(demoWs, demoWs.resolve("results.db")),
                    executor,
                    files,
                    (t, m) -> {},
                    new RecentModels(prefs.node("demo"))));
            ScreenshotScript.demo(
                    (WorkbenchViewModel) stage.getUserData(),
                    window[0],
                    (name) -> snap(stage, dir.resolve(name + ".png")));
        } finally {
            executor.shutdown();
            prefs.removeNode();
            FxToolkit.cleanupStages();
        }
    }

    static void snap(Stage stage, Path file) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(300);
        WaitForAsyncUtils.waitForFxEvents();
        var img =
                WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(30, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", file.toFile());
    }
}
