package dev.llmcw.ui;

import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.FxErrorReporter;
import dev.llmcw.ui.common.SafeFileDialogs;
import dev.llmcw.ui.task.FxTaskExecutor;
import dev.llmcw.ui.task.TaskExecutor;
import java.util.function.Supplier;
import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JavaFX application (main window). */
public class WorkbenchApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(WorkbenchApp.class);

    private TaskExecutor executor;

    public static void launchApp(String[] args) {
        Application.launch(WorkbenchApp.class, args);
    }

    /** Builds the whole window for a stage; the app and the UI tests go through here. */
    public static MainWindow install(
            Stage stage,
            WorkbenchServices services,
            TaskExecutor executor,
            FileDialogs files,
            ErrorReporter errors,
            RecentModels recents) {
        Supplier<Window> owner = () -> stage;
        ErrorReporter reporter = errors != null ? errors : new FxErrorReporter(owner);
        var vm = new WorkbenchViewModel(services, executor, reporter, recents);
        var window = new MainWindow(vm, files, reporter);
        // 1360×860, or the screen's usable area where that is smaller (a 1024×700 desktop): the views scroll.
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        var scene = new Scene(window, Math.min(1360, screen.getWidth()), Math.min(860, screen.getHeight()));
        scene.getStylesheets().add(stylesheet());
        stage.setTitle("LLM Compression Workbench");
        stage.setScene(scene);
        stage.setUserData(vm);
        var icon = WorkbenchApp.class.getResource("/dev/llmcw/ui/icon.png");
        if (icon != null) stage.getIcons().add(new Image(icon.toExternalForm()));
        return window;
    }

    public static String stylesheet() {
        return WorkbenchApp.class.getResource("/dev/llmcw/ui/workbench.css").toExternalForm();
    }

    @Override
    public void start(Stage stage) {
        executor = new FxTaskExecutor();
        var window = install(
                stage,
                WorkbenchServices.create(WorkbenchServices.defaultWorkspace()),
                executor,
                SafeFileDialogs.forDesktop(),
                null,
                RecentModels.userDefault());
        stage.show();
        smokeExit(stage, window);
    }

    /**
     * {@code -Dworkbench.exitAfterStartMs=N}: log what was built (info) and exit N ms after the window is
     * shown. The packaging smoke test starts the packaged GUI headless this way.
     */
    private static void smokeExit(Stage stage, MainWindow window) {
        String ms = System.getProperty("workbench.exitAfterStartMs");
        if (ms == null || ms.isBlank()) return;
        var pause = new javafx.animation.PauseTransition(javafx.util.Duration.millis(Long.parseLong(ms.trim())));
        pause.setOnFinished(e -> {
            var vm = (WorkbenchViewModel) stage.getUserData();
            // a log line: the packaging smoke test reads it with -Dworkbench.log.console=info
            LOG.info(
                    "GUI started: '{}', {}x{}, {} views, {} compression methods, {} evaluation tasks, status '{}'",
                    stage.getTitle(),
                    (int) stage.getWidth(),
                    (int) stage.getHeight(),
                    window.pageCount(),
                    vm.compress().methods().size(),
                    vm.evaluate().tasks().size(),
                    vm.statusText().get());
            javafx.application.Platform.exit();
        });
        pause.play();
    }

    @Override
    public void stop() {
        if (executor != null) executor.shutdown();
    }
}
