package dev.llmcw.ui;

import dev.llmcw.ui.common.FileDialogs;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import javafx.stage.Window;

/** File dialogs that answer with paths queued by the test (native choosers cannot be driven headless). */
final class ScriptedFileDialogs implements FileDialogs {
    private final Deque<Path> answers = new ArrayDeque<>();

    ScriptedFileDialogs next(Path p) {
        answers.add(p);
        return this;
    }

    private Optional<Path> take() {
        return Optional.ofNullable(answers.poll());
    }

    @Override
    public Optional<Path> openFile(Window owner, String title, String... extensions) {
        return take();
    }

    @Override
    public Optional<Path> openDirectory(Window owner, String title) {
        return take();
    }

    @Override
    public Optional<Path> saveFile(Window owner, String title, String suggestedName, String... extensions) {
        return take();
    }
}
