package dev.llmcw.ui;

import javafx.application.Platform;
import org.testfx.util.WaitForAsyncUtils;

import java.util.concurrent.TimeUnit;

/** The views shown in the screenshots, in order: a real session from model to charts. */
final class ScreenshotScript {
    interface Snap { void take(String name) throws Exception; }

    private ScreenshotScript() {}

    static void run(WorkbenchViewModel vm, MainWindow window, Snap snap) throws Exception {
        fx(() -> window.show(MainWindow.Page.MODEL));
        snap.take("01-model");
        fx(() -> window.show(MainWindow.Page.COMPRESS));
        snap.take("02-compress");
        fx(() -> window.show(MainWindow.Page.EVALUATE));
        snap.take("03-evaluate");
        fx(() -> window.show(MainWindow.Page.JOBS));
        snap.take("04-jobs");
        fx(() -> window.show(MainWindow.Page.RESULTS));
        snap.take("05-results");
        fx(() -> window.show(MainWindow.Page.CHARTS));
        snap.take("06-charts");
    }

    static void fx(Runnable r) throws Exception {
        WaitForAsyncUtils.asyncFx(r).get(30, TimeUnit.SECONDS);
    }

    static void later(Runnable r) { Platform.runLater(r); }
}
