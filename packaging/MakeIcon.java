import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;

/**
 * Draws the application icon (run with: java packaging/MakeIcon.java OUT.png [SIZE]): a dark rounded
 * square with an accuracy-vs-bits curve, its Pareto points, and bars that shrink (compression).
 */
public class MakeIcon {
    public static void main(String[] args) throws Exception {
        int s = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        var img = new BufferedImage(s, s, BufferedImage.TYPE_INT_ARGB);
        var g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        double u = s / 256.0;
        g.setPaint(new GradientPaint(0, 0, new Color(0x2b, 0x36, 0x45), 0, s, new Color(0x1a, 0x21, 0x2b)));
        g.fill(new RoundRectangle2D.Double(8 * u, 8 * u, 240 * u, 240 * u, 48 * u, 48 * u));
        // Bars: weights shrinking to fewer bits.
        int[] h = {150, 118, 92, 70};
        Color bar = new Color(0x1f, 0x6f, 0xb4);
        for (int i = 0; i < h.length; i++) {
            g.setColor(new Color(bar.getRed(), bar.getGreen(), bar.getBlue(), 150 + 25 * i));
            g.fill(new RoundRectangle2D.Double((44 + i * 44) * u, (210 - h[i]) * u, 30 * u, h[i] * u, 6 * u, 6 * u));
        }
        // Accuracy-vs-size curve with points.
        var curve = new Path2D.Double();
        double[][] pts = {{48, 176}, {92, 104}, {136, 80}, {180, 68}, {212, 62}};
        curve.moveTo(pts[0][0] * u, pts[0][1] * u);
        curve.curveTo(70 * u, 120 * u, 100 * u, 90 * u, pts[2][0] * u, pts[2][1] * u);
        curve.curveTo(165 * u, 72 * u, 190 * u, 64 * u, pts[4][0] * u, pts[4][1] * u);
        g.setColor(new Color(0xf0, 0xa0, 0x30));
        g.setStroke(new BasicStroke((float) (9 * u), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(curve);
        for (double[] p : new double[][]{pts[0], pts[2], pts[4]}) {
            g.setColor(Color.WHITE);
            g.fill(new Ellipse2D.Double((p[0] - 11) * u, (p[1] - 11) * u, 22 * u, 22 * u));
            g.setColor(new Color(0xf0, 0xa0, 0x30));
            g.fill(new Ellipse2D.Double((p[0] - 6) * u, (p[1] - 6) * u, 12 * u, 12 * u));
        }
        g.dispose();
        ImageIO.write(img, "png", new File(args[0]));
    }
}
