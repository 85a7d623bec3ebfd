package dev.llmcw.ui.common;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** Small layout helpers so every view uses the same spacing and style classes. */
public final class Ui {
    private Ui() {}

    public static final double GAP = 10;

    public static Label heading(String text) {
        var l = new Label(text);
        l.getStyleClass().add("view-title");
        return l;
    }

    public static Label subtle(String text) {
        var l = new Label(text);
        l.getStyleClass().add("subtle");
        l.setWrapText(true);
        return l;
    }

    /** A white titled card holding a section of a view. */
    public static VBox card(String title, Node... content) {
        var box = new VBox(8);
        box.getStyleClass().add("card");
        if (title != null) {
            var t = new Label(title);
            t.getStyleClass().add("card-title");
            box.getChildren().add(t);
        }
        box.getChildren().addAll(content);
        return box;
    }

    /** A banner for honest "not available" states and warnings. */
    public static Label banner(String styleClass) {
        var l = new Label();
        l.getStyleClass().addAll("banner", styleClass);
        l.setWrapText(true);
        l.setMaxWidth(Double.MAX_VALUE);
        l.managedProperty().bind(l.visibleProperty());
        l.visibleProperty().bind(l.textProperty().isNotEmpty());
        return l;
    }

    public static Region spacer() {
        var r = new Region();
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }

    public static VBox page(Node... children) {
        var v = new VBox(Ui.GAP, children);
        v.setPadding(new Insets(16, 20, 16, 20));
        v.getStyleClass().add("page");
        return v;
    }
}
