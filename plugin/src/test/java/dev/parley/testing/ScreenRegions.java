package dev.parley.testing;

import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.head.HeadSpec;
import java.awt.Rectangle;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

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
     * The mouth of a character that is not FLAME-structured, found from its own shapes.
     *
     * @param model a loaded model (not null, unaffected)
     * @param target a morph target that opens the mouth, e.g. {@code jawOpen} (not null)
     * @param fraction the share of the target's largest offset a vertex must move by to count
     * @return the geometry that has the target and the vertices it moves that far (not null)
     * @throws IllegalStateException if no geometry has the target
     */
    public static Map.Entry<Geometry, int[]> movedBy(Spatial model, String target, float fraction) {
        List<Map.Entry<Geometry, int[]>> out = new ArrayList<>();
        model.depthFirstTraversal(c -> {
            if (c instanceof Geometry g && out.isEmpty()) {
                for (MorphTarget t : g.getMesh().getMorphTargets()) {
                    if (target.equals(t.getName())) {
                        out.add(Map.entry(g, moved(t.getBuffer(VertexBuffer.Type.Position), fraction)));
                    }
                }
            }
        });
        if (out.isEmpty()) {
            throw new IllegalStateException("no geometry with morph target '" + target + "' in " + model.getName());
        }
        return out.get(0);
    }

    private static int[] moved(FloatBuffer offsets, float fraction) {
        int n = offsets.limit() / 3;
        float[] length = new float[n];
        float max = 0f;
        for (int v = 0; v < n; v++) {
            length[v] = new Vector3f(offsets.get(3 * v), offsets.get(3 * v + 1), offsets.get(3 * v + 2)).length();
            max = Math.max(max, length[v]);
        }
        float threshold = fraction * max;
        return IntStream.range(0, n).filter(v -> length[v] > threshold).toArray();
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
