package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.lowagie.text.pdf.PdfReader;
import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.common.FitScroll;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window fits a 1024×700 desktop: on every page the primary buttons can be reached (scrolled into
 * view, inside the window) and clicked; and a 1920×1080 window is filled without scroll bars.
 * {@code -Dscreenshots.out=DIR} also saves the pages at both sizes there.
 */
@Ui
@ExtendWith(ApplicationExtension.class)
class SmallWindowUiTest {
    @TempDir
    static Path dir;

    private final ScriptedFileDialogs files = new ScriptedFileDialogs();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/test-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;
    private MainWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        executor = new FxTaskExecutor();
        window = WorkbenchApp.install(
                stage,
                WorkbenchServices.create(dir.resolve("ws"), dir.resolve("ws/results.db")),
                executor,
                files,
                null,
                new RecentModels(prefs));
        vm = (WorkbenchViewModel) stage.getUserData();
        stage.setWidth(1024);
        stage.setHeight(700);
        stage.show();
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        robot.interact(() -> new ArrayList<>(Window.getWindows())
                .stream().filter(w -> w != stage).forEach(Window::hide));
        executor.shutdown();
        prefs.removeNode();
    }

    @Test
    void everyPrimaryButtonIsReachableAndClickableAt1024x700(FxRobot robot) throws Exception {
        assertThat(stage.getScene().getWidth()).isEqualTo(1024);
        assertThat(stage.getScene().getHeight()).isLessThanOrEqualTo(700);

        // Model: open stories260K (needed below); the other sources are reachable.
        page(robot, "model");
        files.next(TestData.stories260K());
        click(robot, "open-model-file");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
        click(robot, "open-model-folder"); // no answer: nothing happens
        // each opens its dialog; closing it leaves the session as it was
        for (String id : List.of("generate-synthetic", "download-model")) {
            click(robot, id);
            assertThat(otherWindows()).as(id + " opens a dialog").isNotEmpty();
            closeDialogs(robot);
        }
        assertThat(vm.session().baseModel().path()).isEqualTo(TestData.stories260K());
        snap("model");

        // Compress: RTN on the 260K-parameter model runs in well under a second.
        page(robot, "compress");
        snap("compress");
        @SuppressWarnings("unchecked")
        ComboBox<Object> method = robot.lookup("#method-choice").queryAs(ComboBox.class);
        robot.interact(() -> method.setValue(vm.compress().methods().stream()
                .filter(m -> m.name().equals("rtn"))
                .findFirst()
                .orElseThrow()));
        click(robot, "compress-button");
        WaitForAsyncUtils.waitFor(
                60, TimeUnit.SECONDS, () -> vm.jobs().activeCount().get() == 0);

        // Evaluate with no task chosen: the click answers with one sentence, nothing starts.
        page(robot, "evaluate");
        snap("evaluate");
        robot.interact(
                () -> vm.evaluate().tasks().forEach(t -> t.selectedProperty().set(false)));
        click(robot, "run-eval");
        WaitForAsyncUtils.waitFor(
                10,
                TimeUnit.SECONDS,
                () -> robot.lookup("#error-message").tryQuery().isPresent());
        closeDialogs(robot);
        // a real evaluation: five PIQA items, stored as a run the Results page works on below
        robot.interact(() -> {
            vm.evaluate().task("piqa").selectedProperty().set(true);
            vm.evaluate().limitProperty().set(5);
        });
        click(robot, "run-eval");
        WaitForAsyncUtils.waitFor(
                120, TimeUnit.SECONDS, () -> vm.jobs().activeCount().get() == 0);

        page(robot, "suites");
        snap("suites");
        click(robot, "suite-open");
        click(robot, "suite-validate");
        assertThat(robot.lookup("#suite-summary").queryAs(Label.class).getText())
                .startsWith("Invalid");
        Path suiteFile = dir.resolve("small-suite.yaml");
        files.next(suiteFile);
        click(robot, "suite-save-as");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> Files.exists(suiteFile));
        click(robot, "suite-save");
        click(robot, "suite-run"); // the suite is invalid: a sentence, no job
        assertThat(vm.jobs().activeCount().get()).isZero();
        closeDialogs(robot);
        click(robot, "suite-preset-load");
        files.next(TestData.stories260K());
        click(robot, "suite-preset-model");
        robot.interact(() ->
                robot.lookup("#suite-preset-limit").queryAs(TextField.class).setText("2"));
        click(robot, "suite-preset-run");
        // the preset's job is running: the Jobs page cancels it
        WaitForAsyncUtils.waitFor(
                10, TimeUnit.SECONDS, () -> vm.jobs().activeCount().get() > 0);
        cancelRunningJobs(robot);
        // a cancelled job can be resumed (and is cancelled again here)
        @SuppressWarnings("unchecked")
        var jobs = robot.lookup("#jobs-table").queryAs(TableView.class);
        robot.interact(() -> jobs.getSelectionModel().selectLast());
        click(robot, "resume-job");
        cancelRunningJobs(robot);
        closeDialogs(robot);

        page(robot, "results");
        snap("results");
        @SuppressWarnings("unchecked")
        var runs = robot.lookup("#runs-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !runs.getItems().isEmpty());
        int stored = runs.getItems().size();
        robot.interact(() -> runs.getSelectionModel().selectFirst());
        click(robot, "hide-runs");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> runs.getItems().size() == stored - 1);
        click(robot, "show-hidden");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> runs.getItems().size() == stored);
        robot.interact(() -> runs.getSelectionModel().selectFirst());
        click(robot, "unhide-runs");
        click(robot, "show-hidden");
        robot.interact(() -> runs.getSelectionModel().selectFirst());
        click(robot, "delete-result");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> runs.getItems().size() == stored - 1);
        click(robot, "undo-delete");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> runs.getItems().size() == stored);
        robot.interact(() -> runs.getSelectionModel().selectAll());
        click(robot, "compare-runs");
        closeDialogs(robot);
        @SuppressWarnings("unchecked")
        var unfinished = robot.lookup("#unfinished-table").queryAs(TableView.class);
        robot.interact(() -> tabOf(unfinished).getTabPane().getSelectionModel().select(tabOf(unfinished)));
        reach(robot, "resume-run");
        if (!unfinished.getItems().isEmpty()) { // the cancelled preset run, when it had stored one
            robot.interact(() -> unfinished.getSelectionModel().selectFirst());
            click(robot, "delete-run");
            closeDialogs(robot);
        }
        reach(robot, "compare-runs");
        assertThat(robot.lookup("#compare-runs").queryButton().getWidth())
                .as("whole label")
                .isGreaterThanOrEqualTo(
                        robot.lookup("#compare-runs").queryButton().prefWidth(-1) - 0.5);
        click(robot, "report-selected");

        page(robot, "charts");
        snap("charts");
        Path png = dir.resolve("small.png");
        files.next(png);
        click(robot, "export-button-png");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Files.exists(png));
        click(robot, "paper-add"); // empty fields: a validation sentence
        reach(robot, "export-button-svg");
        // a paper's one column: the PDF page is 3.5 in wide
        @SuppressWarnings("unchecked")
        ComboBox<String> size = reach(robot, "figure-size") instanceof ComboBox<?> c ? (ComboBox<String>) c : null;
        robot.interact(() -> size.setValue("One column (3.5 in)"));
        Path pdf = dir.resolve("small.pdf");
        files.next(pdf);
        click(robot, "export-button-pdf");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Files.exists(pdf));
        var reader = new PdfReader(pdf.toString());
        assertThat(reader.getPageSize(1).getWidth()).isEqualTo(252f);
        reader.close();

        // last, as it replaces the session: the DEMO generates its model and sets up the pages
        page(robot, "model");
        click(robot, "start-demo");
        WaitForAsyncUtils.waitFor(
                120,
                TimeUnit.SECONDS,
                () -> vm.jobs().activeCount().get() == 0
                        && !vm.session().baseModel().path().equals(TestData.stories260K()));
        assertThat(robot.lookup("#demo-badge").query().isVisible()).isTrue();
        page(robot, "jobs");
        click(robot, "clear-finished");
        assertThat(vm.jobs().jobs()).allMatch(j -> !j.state().finished());
    }

    /** On the Jobs page, selects each job still running and clicks Cancel until none runs. */
    private void cancelRunningJobs(FxRobot robot) throws Exception {
        page(robot, "jobs");
        @SuppressWarnings("unchecked")
        var table = (TableView<JobViewModel>) robot.lookup("#jobs-table").queryAs(TableView.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (vm.jobs().activeCount().get() > 0) {
            assertThat(System.nanoTime()).as("jobs cancelled within 2 minutes").isLessThan(deadline);
            robot.interact(() -> table.getItems().stream()
                    .filter(j -> !j.state().finished())
                    .findFirst()
                    .ifPresent(j -> table.getSelectionModel().select(j)));
            if (!reach(robot, "cancel-job").isDisabled()) click(robot, "cancel-job");
            Thread.sleep(300);
        }
    }

    /** The tab whose content holds {@code n}. */
    private static Tab tabOf(Node n) {
        for (Node p = n; p != null; p = p.getParent())
            if (p instanceof TabPane pane)
                for (Tab t : pane.getTabs())
                    for (Node c = n; c != null; c = c.getParent()) if (c == t.getContent()) return t;
        throw new AssertionError("not in a tab: " + n);
    }

    private List<Window> otherWindows() {
        return new ArrayList<>(Window.getWindows())
                .stream().filter(w -> w != stage).toList();
    }

    private void closeDialogs(FxRobot robot) {
        robot.interact(() -> otherWindows().forEach(Window::hide));
    }

    @Test
    void aFullHdWindowIsFilledWithoutScrollBars(FxRobot robot) throws Exception {
        robot.interact(() -> {
            stage.setWidth(1920);
            stage.setHeight(1080);
        });
        WaitForAsyncUtils.waitForFxEvents();
        for (String p : List.of("model", "compress", "evaluate", "suites", "jobs", "results", "charts")) {
            page(robot, p);
            ScrollPane scroll = visiblePage();
            assertThat(scroll.isFitToWidth()).as(p + " fills the width").isTrue();
            assertThat(scroll.isFitToHeight()).as(p + " fills the height").isTrue();
            if (p.equals("compress") || p.equals("charts")) snap(p + "-1920x1080");
        }
    }

    private void page(FxRobot robot, String name) {
        click(robot, "nav-" + name);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private ScrollPane visiblePage() {
        return (ScrollPane) ((javafx.scene.layout.Pane) window.getCenter())
                .getChildren().stream().filter(Node::isVisible).findFirst().orElseThrow();
    }

    /** Scrolls the node into view as a user would and checks it is inside the window and the page's viewport. */
    private Node reach(FxRobot robot, String id) {
        Node n = robot.lookup("#" + id).query();
        robot.interact(() -> FitScroll.reveal(n));
        WaitForAsyncUtils.waitForFxEvents();
        for (Node p = n; p != null; p = p.getParent())
            assertThat(p.isVisible()).as(id + " visible").isTrue();
        Bounds b = n.localToScene(n.getLayoutBounds());
        var scene = n.getScene();
        assertThat(b.getMinX()).as(id + " left").isGreaterThanOrEqualTo(0);
        assertThat(b.getMinY()).as(id + " top").isGreaterThanOrEqualTo(0);
        assertThat(b.getMaxX()).as(id + " right edge within the window").isLessThanOrEqualTo(scene.getWidth());
        assertThat(b.getMaxY()).as(id + " bottom edge within the window").isLessThanOrEqualTo(scene.getHeight());
        if (!id.startsWith("nav-")) {
            ScrollPane scroll = visiblePage();
            Bounds view = scroll.localToScene(scroll.getLayoutBounds());
            assertThat(view.contains(b))
                    .as(id + " " + b + " inside the page's viewport " + view)
                    .isTrue();
        }
        return n;
    }

    private void click(FxRobot robot, String id) {
        Node n = reach(robot, id);
        assertThat(n.isDisabled()).as(id + " enabled").isFalse();
        robot.clickOn(n);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void snap(String name) throws Exception {
        String out = System.getProperty("screenshots.out");
        if (out == null || out.isBlank()) return;
        String size = name.endsWith("1920x1080") ? "" : "-1024x700";
        var img =
                WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(30, TimeUnit.SECONDS);
        Files.createDirectories(Path.of(out));
        ImageIO.write(
                SwingFXUtils.fromFXImage(img, null),
                "png",
                Path.of(out, "fit-" + name + size + ".png").toFile());
    }
}
