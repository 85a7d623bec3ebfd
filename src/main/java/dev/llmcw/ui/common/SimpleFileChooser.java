package dev.llmcw.ui.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javafx.event.ActionEvent;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * A file chooser drawn by JavaFX itself: a path field and a listing of one folder. Used where the
 * platform's chooser cannot be opened (see {@link NativeDialogs}); it cannot take the JVM down with it.
 */
public final class SimpleFileChooser implements FileDialogs {
    enum Mode {
        OPEN_FILE,
        OPEN_DIRECTORY,
        SAVE_FILE
    }

    private Path lastFolder = Path.of(System.getProperty("user.home", "."));

    @Override
    public Optional<Path> openFile(Window owner, String title, String... extensions) {
        return show(owner, title, Mode.OPEN_FILE, "", extensions);
    }

    @Override
    public Optional<Path> openDirectory(Window owner, String title) {
        return show(owner, title, Mode.OPEN_DIRECTORY, "");
    }

    @Override
    public Optional<Path> saveFile(Window owner, String title, String suggestedName, String... extensions) {
        return show(owner, title, Mode.SAVE_FILE, suggestedName == null ? "" : suggestedName, extensions);
    }

    private Optional<Path> show(Window owner, String title, Mode mode, String name, String... extensions) {
        var d = new Dialog<Path>();
        d.setTitle(title);
        d.setHeaderText(title);
        if (owner != null) d.initOwner(owner);
        d.getDialogPane().setId("fallback-chooser");
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);

        var folderLabel = new Label();
        folderLabel.setId("fallback-folder");
        var up = new Button("Up");
        up.setId("fallback-up");
        var listing = new ListView<Path>();
        listing.setId("fallback-list");
        listing.setPrefSize(560, 300);
        listing.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Path p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.getFileName() + (Files.isDirectory(p) ? "/" : ""));
            }
        });
        var field = new TextField(name);
        field.setId("fallback-path");
        field.setPromptText(mode == Mode.OPEN_DIRECTORY ? "folder (empty: the one listed)" : "file name or full path");
        HBox.setHgrow(field, Priority.ALWAYS);
        var problem = new Label();
        problem.setId("fallback-problem");
        problem.getStyleClass().add("validation");
        problem.setWrapText(true);

        Path[] folder = {
            Files.isDirectory(lastFolder) ? lastFolder : Path.of(".").toAbsolutePath()
        };
        Runnable list = () -> {
            folderLabel.setText(folder[0].toString());
            listing.getItems().setAll(entries(folder[0], mode, extensions));
        };
        up.setOnAction(e -> {
            if (folder[0].getParent() != null) folder[0] = folder[0].getParent();
            list.run();
        });
        listing.getSelectionModel().selectedItemProperty().addListener((o, was, p) -> {
            if (p != null && (mode == Mode.OPEN_DIRECTORY || !Files.isDirectory(p)))
                field.setText(p.getFileName().toString());
        });
        listing.setOnMouseClicked(e -> {
            Path p = listing.getSelectionModel().getSelectedItem();
            if (e.getClickCount() == 2 && p != null && Files.isDirectory(p)) {
                folder[0] = p;
                list.run();
            }
        });
        list.run();

        var header = new HBox(8, up, folderLabel);
        header.setAlignment(Pos.CENTER_LEFT);
        var nameRow = new HBox(8, new Label(mode == Mode.OPEN_DIRECTORY ? "Folder:" : "File:"), field);
        nameRow.setAlignment(Pos.CENTER_LEFT);
        var content = new VBox(8, header, listing, nameRow, problem);
        content.setPadding(new Insets(4));
        d.getDialogPane().setContent(content);

        // Keep the dialog open, with one sentence, until the answer names something usable.
        d.getDialogPane().lookupButton(ButtonType.OK).addEventFilter(ActionEvent.ACTION, e -> {
            String why = problem(chosen(folder[0], field.getText()), mode);
            if (why != null) {
                problem.setText(why);
                e.consume();
            }
        });
        d.setResultConverter(b -> b == ButtonType.OK ? chosen(folder[0], field.getText()) : null);
        Optional<Path> answer = d.showAndWait();
        answer.ifPresent(
                p -> lastFolder = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent());
        return answer;
    }

    static Path chosen(Path folder, String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("~/")) t = System.getProperty("user.home") + t.substring(1);
        return t.isEmpty() ? folder : folder.resolve(t).toAbsolutePath().normalize();
    }

    /** Null when {@code p} fits the mode, else what is wrong with it. */
    static String problem(Path p, Mode mode) {
        return switch (mode) {
            case OPEN_FILE -> Files.isRegularFile(p) ? null : p + ": no such file";
            case OPEN_DIRECTORY -> Files.isDirectory(p) ? null : p + ": no such folder";
            case SAVE_FILE ->
                Files.isDirectory(p)
                        ? p + " is a folder: type a file name"
                        : p.getParent() != null && Files.isDirectory(p.getParent())
                                ? null
                                : p + ": the folder does not exist";
        };
    }

    /** Folders first, then the files a chooser with these extensions offers, by name. */
    static List<Path> entries(Path folder, Mode mode, String... extensions) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) || mode != Mode.OPEN_DIRECTORY && matches(p, extensions))
                    .sorted(Comparator.comparing((Path p) -> !Files.isDirectory(p))
                            .thenComparing(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)))
                    .toList();
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    private static boolean matches(Path p, String... extensions) {
        if (extensions.length == 0) return true;
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Arrays.stream(extensions).anyMatch(e -> n.endsWith("." + e.toLowerCase(Locale.ROOT)));
    }
}
