package dev.llmcw.ui.common;

import java.util.function.Supplier;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.stage.Window;

/** Shows failures as a non-blocking error dialog; the main window stays usable behind it. */
public final class FxErrorReporter implements ErrorReporter {
    private final Supplier<Window> owner;

    public FxErrorReporter(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public void error(String title, String message) {
        var a = new Alert(Alert.AlertType.ERROR, "", ButtonType.OK);
        a.setTitle(title);
        a.setHeaderText(title);
        var text = new Label(message);
        text.setWrapText(true);
        text.setMaxWidth(560);
        text.setId("error-message");
        a.getDialogPane().setContent(text);
        a.getDialogPane().setId("error-dialog");
        Window w = owner.get();
        if (w != null) a.initOwner(w);
        a.show();
    }
}
