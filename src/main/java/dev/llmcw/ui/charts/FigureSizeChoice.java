package dev.llmcw.ui.charts;

import dev.llmcw.report.FigureSize;
import java.util.Locale;
import java.util.Optional;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TextInputDialog;

/**
 * The size exported charts get: the screen size (960 × 600 px, the default), a paper's one or two
 * columns, or a custom {@code WxH@DPI} typed in. The chosen size is {@link #size()}; empty means screen.
 */
final class FigureSizeChoice extends ComboBox<String> {
    static final String SCREEN = "Screen (960 × 600 px)";
    static final String ONE = "One column (3.5 in)";
    static final String TWO = "Two columns (7 in)";
    static final String CUSTOM = "Custom…";

    private FigureSize custom;

    FigureSizeChoice() {
        getItems().addAll(SCREEN, ONE, TWO, CUSTOM);
        setValue(SCREEN);
        setId("figure-size");
        setMinWidth(USE_PREF_SIZE);
        valueProperty().addListener((o, was, now) -> {
            if (CUSTOM.equals(now) && !askCustom()) setValue(was == null || CUSTOM.equals(was) ? SCREEN : was);
        });
    }

    Optional<FigureSize> size() {
        return switch (getValue() == null ? SCREEN : getValue()) {
            case ONE -> Optional.of(FigureSize.ONE_COLUMN);
            case TWO -> Optional.of(FigureSize.TWO_COLUMNS);
            case CUSTOM -> Optional.ofNullable(custom);
            default -> Optional.empty();
        };
    }

    private boolean askCustom() {
        var d = new TextInputDialog(
                custom == null
                        ? "5x3@300"
                        : String.format(
                                Locale.ROOT, "%sx%s@%d", custom.widthInches(), custom.heightInches(), custom.dpi()));
        d.setTitle("Figure size");
        d.setHeaderText("Width x height in inches, @ PNG DPI (e.g. 5x3@600)");
        if (getScene() != null) d.initOwner(getScene().getWindow());
        while (true) {
            var text = d.showAndWait();
            if (text.isEmpty()) return false;
            try {
                custom = FigureSize.parse(text.get());
                return true;
            } catch (IllegalArgumentException e) {
                d.setHeaderText(e.getMessage());
            }
        }
    }
}
