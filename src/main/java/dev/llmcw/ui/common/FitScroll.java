package dev.llmcw.ui.common;

import javafx.beans.binding.Bindings;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.Region;

/**
 * Wraps a page so it fits any window: while the window is big enough for the page's minimum size the
 * page fills it exactly (tables and charts grow and shrink as before); below that the page keeps its
 * minimum size and scrolls, so forms and their Run buttons are never cut off on a 1024×700 desktop.
 */
public final class FitScroll {
    private FitScroll() {}

    public static ScrollPane of(Region page) {
        keepButtonLabels(page);
        var scroll = new ScrollPane(page);
        scroll.getStyleClass().add("page-scroll");
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.AS_NEEDED);
        scroll.setVbarPolicy(ScrollPane.ScrollBarPolicy.AS_NEEDED);
        scroll.setPannable(false);
        // Compare with the page's minimum size at the viewport's width: a wrapped label needs more height
        // when narrower, so the width must be known first.
        scroll.fitToWidthProperty()
                .bind(Bindings.createBooleanBinding(
                        () -> scroll.getViewportBounds().getWidth() >= page.minWidth(-1),
                        scroll.viewportBoundsProperty(),
                        page.needsLayoutProperty()));
        scroll.fitToHeightProperty()
                .bind(Bindings.createBooleanBinding(
                        () -> scroll.getViewportBounds().getHeight()
                                >= page.minHeight(
                                        Math.max(scroll.getViewportBounds().getWidth(), page.minWidth(-1))),
                        scroll.viewportBoundsProperty(),
                        page.needsLayoutProperty()));
        return scroll;
    }

    /**
     * Buttons keep their whole label ("Compare selected", not "Compare sele..."): a narrow window then
     * scrolls sideways instead of truncating what a button does.
     */
    static void keepButtonLabels(Parent root) {
        for (Node n : root.getChildrenUnmodifiable()) {
            if (n instanceof ButtonBase b) b.setMinWidth(Region.USE_PREF_SIZE);
            if (n instanceof Parent p) keepButtonLabels(p);
        }
    }

    /** Scrolls {@code node}'s enclosing page so that the node is in view; for keyboard focus and tests. */
    public static void reveal(Node node) {
        for (Node n = node.getParent(); n != null; n = n.getParent()) {
            if (n instanceof ScrollPane sp && sp.getContent() != null) {
                var content = sp.getContent().getLayoutBounds();
                var inContent = sp.getContent().sceneToLocal(node.localToScene(node.getLayoutBounds()));
                var viewport = sp.getViewportBounds();
                double spareH = content.getHeight() - viewport.getHeight();
                double spareW = content.getWidth() - viewport.getWidth();
                if (spareH > 0)
                    sp.setVvalue(
                            clamp((inContent.getMinY() - 8) / spareH) * (sp.getVmax() - sp.getVmin()) + sp.getVmin());
                if (spareW > 0)
                    sp.setHvalue(
                            clamp((inContent.getMinX() - 8) / spareW) * (sp.getHmax() - sp.getHmin()) + sp.getHmin());
                return;
            }
        }
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
