package dev.llmcw.ui.model;

import dev.llmcw.app.CatalogService;
import dev.llmcw.app.ModelCard;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.NotAvailableException;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.Formats;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.Session;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.task.BackgroundTask;
import dev.llmcw.ui.task.TaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** Opening, generating and downloading models; the model card. */
public final class ModelViewModel {
    /** One row of the model card. */
    public record CardRow(String property, String value) {}

    private final WorkbenchServices services;
    private final TaskExecutor executor;
    private final JobsViewModel jobs;
    private final Session session;
    private final ErrorReporter errors;
    private final RecentModels recents;
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final ObservableList<CardRow> card = FXCollections.observableArrayList();
    private final BooleanProperty busy = new SimpleBooleanProperty();
    private final StringProperty status = new SimpleStringProperty(
            "No model open. Open a model file or folder, drop one here, or generate a synthetic model.");
    private final ObservableList<CatalogService.Entry> catalog = FXCollections.observableArrayList();
    private final StringProperty catalogStatus = new SimpleStringProperty("");
    private final ObjectProperty<String> heading = new SimpleObjectProperty<>("No model");

    public ModelViewModel(
            WorkbenchServices services,
            TaskExecutor executor,
            JobsViewModel jobs,
            Session session,
            ErrorReporter errors,
            RecentModels recents) {
        this.services = services;
        this.executor = executor;
        this.jobs = jobs;
        this.session = session;
        this.errors = errors;
        this.recents = recents;
        recent.setAll(recents.list());
        session.baseModelProperty().addListener((o, a, m) -> showCard(m));
    }

    /** Loads a model in the background; a bad file is reported and changes nothing. */
    public void open(Path path) {
        busy.set(true);
        status.set("Loading " + path + " …");
        executor.execute(BackgroundTask.of((p, c) -> services.models().open(path, null))
                .onSuccess(m -> {
                    busy.set(false);
                    recent.setAll(recents.add(path));
                    session.setBaseModel(m);
                })
                .onFailure(t -> {
                    busy.set(false);
                    String msg = ErrorReporter.describe(t);
                    status.set("Could not open " + path.getFileName() + ": " + msg);
                    errors.error("Cannot open model", msg);
                }));
    }

    public boolean syntheticAvailable() {
        return !services.models().syntheticPresets().isEmpty();
    }

    public List<String> syntheticPresets() {
        return services.models().syntheticPresets();
    }

    /** Generates a SYNTHETIC model as a job and opens it when done (listed with the recent models: it stays on disk). */
    public void generateSynthetic(String preset, long seed) {
        Path dir = services.workspace().resolve("synthetic").resolve(preset + "-" + seed);
        jobs.submit(
                "synthetic",
                "Generate SYNTHETIC model '" + preset + "' (seed " + seed + ")",
                (p, c) -> services.models().generateSynthetic(preset, dir, seed, p, c),
                m -> {
                    recent.setAll(recents.add(dir));
                    session.setBaseModel(m);
                },
                t -> errors.error("Cannot generate synthetic model", ErrorReporter.describe(t)));
    }

    public void refreshCatalog() {
        try {
            catalog.setAll(services.catalog().entries());
            catalogStatus.set(catalog.size() + " models in the catalogue");
        } catch (NotAvailableException e) {
            catalog.clear();
            catalogStatus.set(e.getMessage());
        }
    }

    /** Downloads a catalogue entry as a job, then opens it. */
    public void download(CatalogService.Entry e) {
        jobs.submit(
                "download",
                "Download " + e.id() + " (" + Formats.size(e.bytes()) + ")",
                (p, c) -> services.catalog().download(e.id(), p, c),
                this::open,
                t -> errors.error("Download failed", ErrorReporter.describe(t)));
    }

    private void showCard(ModelHandle m) {
        if (m == null) {
            card.clear();
            heading.set("No model");
            return;
        }
        ModelCard c = m.card();
        heading.set(c.synthetic() && !m.name().contains("SYNTHETIC") ? m.name() + "  [SYNTHETIC]" : m.name());
        var rows = new ArrayList<CardRow>();
        rows.add(new CardRow("Source", String.valueOf(c.source())));
        rows.add(new CardRow("Format", c.format()));
        rows.add(new CardRow("Architecture", c.architecture()));
        rows.add(new CardRow("Parameters", String.format(Locale.ROOT, "%,d", c.parameters())));
        rows.add(new CardRow(
                "Weight bytes",
                String.format(Locale.ROOT, "%,d (%s)", c.weightBytes(), Formats.size(c.weightBytes()))));
        rows.add(new CardRow("Storage type", c.dtypeSummary()));
        rows.add(new CardRow("Vocabulary", String.format(Locale.ROOT, "%,d", c.vocabSize())));
        rows.add(new CardRow("Layers × dim", c.layers() + " × " + c.dim() + " (MLP " + c.hiddenDim() + ")"));
        rows.add(new CardRow("Heads", c.heads() + " query / " + c.kvHeads() + " key-value"));
        rows.add(new CardRow("Context", c.maxSeqLen() + " tokens"));
        rows.add(new CardRow("Tied embeddings", c.tiedEmbeddings() ? "yes" : "no"));
        rows.add(new CardRow("Tokenizer", c.hasTokenizer() ? "loaded" : "none found beside the model"));
        c.metadata().forEach((k, v) -> rows.add(new CardRow(k, v)));
        card.setAll(rows);
        status.set("Opened " + m.name() + " (" + c.format() + ", " + Formats.size(c.weightBytes()) + ")");
    }

    public ObservableList<Path> recent() {
        return recent;
    }

    public ObservableList<CardRow> card() {
        return card;
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public ObjectProperty<String> headingProperty() {
        return heading;
    }

    public ObservableList<CatalogService.Entry> catalog() {
        return catalog;
    }

    public StringProperty catalogStatusProperty() {
        return catalogStatus;
    }

    public Session session() {
        return session;
    }
}
