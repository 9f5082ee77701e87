package dev.parley.testing;

import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.head.HeadSpec;
import java.awt.Rectangle;
import java.nio.FloatBuffer;

/**
 * Where parts of a rendered head are on screen: the head spec's vertex sets (lips, eyes) projected
 * through the camera, so image checks follow the geometry wherever the head stands.
 */
public final class ScreenRegions {

    private ScreenRegions() {
    }

    /**
     * @param model a loaded head (not null, unaffected)
     * @param spec its spec (not null)
     * @return the geometry with the spec's vertex count (not null)
     * @throws IllegalStateException if the model has none
     */
    public static Geometry headGeometry(Spatial model, HeadSpec spec) {
        Geometry[] out = new Geometry[1];
        model.depthFirstTraversal(c -> {
            if (c instanceof Geometry g && g.getMesh().getVertexCount() == spec.vertexCount()) {
                out[0] = g;
            }
        });
        if (out[0] == null) {
            throw new IllegalStateException("no geometry of " + spec.vertexCount() + " vertices in " + model.getName());
        }
        return out[0];
    }

    /**
     * The screen bounding box of some of a geometry's vertices (bind pose, current world transform), in
     * image coordinates (top row 0), grown by fractions of its size sideways and downward (a mouth that
     * opens moves down) and clipped to the camera's viewport.
     *
     * @param cam the camera that renders the image (not null, unaffected)
     * @param g the geometry (not null, unaffected)
     * @param vertices vertex indices (not null, not empty)
     * @param growX the fraction of the width added on each side (and at the top)
     * @param growDown the fraction of the height added below
     * @return a new rectangle, at least 1x1 pixel (not null)
     */
    public static Rectangle project(Camera cam, Geometry g, int[] vertices, float growX, float growDown) {
        FloatBuffer pos = (FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
        float minX = Float.MAX_VALUE;
        float minY = Float.MAX_VALUE;
        float maxX = -Float.MAX_VALUE;
        float maxY = -Float.MAX_VALUE;
        Vector3f w = new Vector3f();
        for (int v : vertices) {
            g.localToWorld(new Vector3f(pos.get(3 * v), pos.get(3 * v + 1), pos.get(3 * v + 2)), w);
            Vector3f s = cam.getScreenCoordinates(w);
            float y = cam.getHeight() - 1 - s.y;
            minX = Math.min(minX, s.x);
            maxX = Math.max(maxX, s.x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
        }
        float dx = (maxX - minX) * growX;
        float dy = (maxY - minY) * growDown;
        int x0 = clamp(minX - dx, cam.getWidth());
        int x1 = clamp(maxX + dx, cam.getWidth());
        int y0 = clamp(minY - (growX > 0 ? dx : 0), cam.getHeight());
        int y1 = clamp(maxY + dy, cam.getHeight());
        return new Rectangle(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
    }

    /**
     * @param cam the camera (not null, unaffected)
     * @param g the geometry (not null, unaffected)
     * @return the screen bounding box of all its vertices (not null)
     */
    public static Rectangle whole(Camera cam, Geometry g) {
        int[] all = new int[g.getMesh().getVertexCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return project(cam, g, all, 0f, 0f);
    }

    private static int clamp(float v, int size) {
        return Math.max(0, Math.min(size - 1, Math.round(v)));
    }
}
