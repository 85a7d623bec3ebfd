package dev.llmcw.ui.common;

import dev.llmcw.app.ModelHandle;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * What the views share: the opened base model and the models derived from it in this session
 * (compressed variants), which the Evaluate view offers.
 */
public final class Session {
    private final ObjectProperty<ModelHandle> baseModel = new SimpleObjectProperty<>();
    private final ObservableList<ModelHandle> models = FXCollections.observableArrayList();

    public ObjectProperty<ModelHandle> baseModelProperty() {
        return baseModel;
    }

    public ModelHandle baseModel() {
        return baseModel.get();
    }

    /** Opening a new base model starts a new list of variants. */
    public void setBaseModel(ModelHandle m) {
        baseModel.set(m);
        models.setAll(m);
    }

    public ObservableList<ModelHandle> models() {
        return models;
    }

    public void addVariant(ModelHandle m) {
        models.add(m);
    }
}
