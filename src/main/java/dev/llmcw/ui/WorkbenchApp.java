package dev.llmcw.ui;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

/** The JavaFX application (main window). */
public class WorkbenchApp extends Application {
    public static void launchApp(String[] args) {
        Application.launch(WorkbenchApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        stage.setTitle("LLM Compression Workbench");
        stage.setScene(new Scene(new Label("LLM Compression Workbench"), 1200, 800));
        stage.show();
    }
}
